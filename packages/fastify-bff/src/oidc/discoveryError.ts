/** Discovery of the issuer failed: the message names the issuer and the lower-level cause (`fetch failed` alone says neither). */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    readonly issuer: string,
    cause: unknown,
  ) {
    super(`OpenID Provider discovery of ${issuer} failed: ${causeChain(cause)}`, { cause });
  }
}

function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = err; at instanceof Error && parts.length < 4; at = at.cause) {
    const code = (at as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !at.message.includes(code) ? `${at.message} (${code})` : at.message);
  }
  return parts.join(': ') || String(err);
}
