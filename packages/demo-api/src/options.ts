export interface ApiOptions {
  /** 0 = ephemeral; default 4001 */
  port?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** the expected `iss` of access tokens, e.g. http://localhost:4000 */
  issuer: string;
  /** the expected `aud` of access tokens, e.g. http://localhost:4001 */
  audience: string;
  /** default: the `jwks_uri` of `${issuer}/.well-known/openid-configuration`, discovered on the first request */
  jwksUri?: string;
  /** default 0: expiry tests need exactness, so an expired token is refused from its `exp` second on */
  clockToleranceSeconds?: number;
  logger?: boolean;
  /** RFC 9449, 9: require a nonce this API issued in every DPoP proof. Default false. */
  dpopNonce?: boolean;
}

export type ResolvedApiOptions = Readonly<Required<Omit<ApiOptions, 'jwksUri'>> & { jwksUri: string | undefined }>;

/** Checks the options once and applies the defaults; every message names the exact option. */
export function resolveApiOptions(options: ApiOptions): ResolvedApiOptions {
  const problems: string[] = [];
  const port = options.port ?? 4001;
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('port must be an integer from 0 to 65535');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') problems.push('host must be a non-empty string');
  if (!isUrl(options.issuer)) problems.push('issuer must be an absolute http(s) URL');
  if (typeof options.audience !== 'string' || options.audience === '') problems.push('audience must be a non-empty string');
  if (options.jwksUri !== undefined && !isUrl(options.jwksUri)) problems.push('jwksUri must be an absolute http(s) URL');
  const clockToleranceSeconds = options.clockToleranceSeconds ?? 0;
  if (!Number.isFinite(clockToleranceSeconds) || clockToleranceSeconds < 0) {
    problems.push('clockToleranceSeconds must be a non-negative number');
  }
  if (problems.length > 0) throw new TypeError(`Invalid ApiOptions: ${problems.join('; ')}`);
  return Object.freeze({
    port,
    host,
    issuer: options.issuer,
    audience: options.audience,
    jwksUri: options.jwksUri,
    clockToleranceSeconds,
    logger: options.logger ?? false,
    dpopNonce: options.dpopNonce ?? false,
  });
}

function isUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
