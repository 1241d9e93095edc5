import { IncomingMessage } from 'node:http';

/** Same limit as oidc-provider's own body parser. */
export const BODY_LIMIT = 56 * 1024;

export class BodyTooLarge extends Error {
  constructor() {
    super(`request body exceeds ${BODY_LIMIT} bytes`);
    this.name = 'BodyTooLarge';
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    received += buffer.length;
    if (received > BODY_LIMIT) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, received);
}

/** A JSON object body, or undefined when the body is not one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The same request with another body (already read whole), for the provider's own parser to read. */
export function withBody(req: IncomingMessage, contentType: string, body: Buffer): IncomingMessage {
  const forwarded = new IncomingMessage(req.socket);
  forwarded.method = req.method;
  forwarded.url = req.url;
  forwarded.httpVersion = req.httpVersion;
  forwarded.httpVersionMajor = req.httpVersionMajor;
  forwarded.httpVersionMinor = req.httpVersionMinor;
  forwarded.headers = { ...req.headers, 'content-type': contentType, 'content-length': String(body.length) };
  forwarded.push(body);
  forwarded.push(null);
  // the body is whole; an "incomplete" message would take the client's socket down with it when destroyed
  forwarded.complete = true;
  return forwarded;
}
