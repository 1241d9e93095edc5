import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';

/**
 * What crosses the proxy, in both directions (README, "What the proxy
 * forwards"). The BFF vouches for every request it sends the API, so the
 * headers that say who the caller is and how they came are the BFF's own,
 * never the browser's.
 */

/** Hop-by-hop: they describe one connection, never forwarded (RFC 9110 7.6.1), plus the old Proxy-Connection. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

const DROP_REQUEST = new Set([
  ...HOP_BY_HOP,
  // the BFF's own business: the session cookie, the anti-forgery header, the credentials (it sets Authorization itself)
  'cookie',
  'authorization',
  'x-csrf',
  // a DPoP proof would bind nothing the BFF sent: the token (and with DPoP on, the proof) is the BFF's
  'dpop',
  // who the caller is: the BFF says it (X-Forwarded-*), a page must not
  'forwarded',
  'x-real-ip',
  // undici sets Host from the upstream and Content-Length from the body; it refuses Expect (the BFF's server answered 100-continue already)
  'host',
  'content-length',
  'expect',
]);

const DROP_RESPONSE = new Set([
  ...HOP_BY_HOP,
  // the API never sets cookies on the BFF's origin
  'set-cookie',
  // a challenge is for the holder of the token, which is the BFF; a Basic one would open the browser's login dialog
  'www-authenticate',
  // a DPoP nonce is for the key holder too: the BFF keeps it for its next proofs
  'dpop-nonce',
  // describes the API's origin, not the BFF's: a browser would try it for the BFF
  'alt-svc',
]);

/** The BFF's view of itself: set once, sent on every request. */
export interface ForwardingContext {
  /** `https` or `http`, from the public URL. */
  proto: string;
  /** host[:port] of the public URL: never the request's Host, which a non-browser client sets at will. */
  host: string;
  /** The path the API is mounted at on the BFF, e.g. `/api`. */
  prefix: string;
}

/** Header names listed in a Connection header, lowercased; undefined for the everyday `keep-alive` / `close`. */
export function connectionNamed(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined;
  const named = new Set<string>();
  for (const token of String(connection).split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') named.add(name);
  }
  return named;
}

/** How the BFF proves the request to the API: a bearer token, or a DPoP-bound token with its proof (RFC 9449, 7.1). */
export type Credentials = { scheme: 'Bearer'; token: string; proof?: undefined } | { scheme: 'DPoP'; token: string; proof: string };

/**
 * The request headers for the API: the browser's, minus everything above and
 * anything it named in Connection, plus the token (and its DPoP proof) and the forwarding
 * headers. `bodyLength` is the buffered body's size; a streamed body keeps the
 * Content-Length the browser declared, if any.
 */
export function requestHeaders(
  request: FastifyRequest,
  credentials: Credentials,
  context: ForwardingContext,
  body: { length: number } | { declaredLength: string | undefined } | undefined,
): Record<string, string | string[]> {
  const incoming: IncomingHttpHeaders = request.headers;
  const named = connectionNamed(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || DROP_REQUEST.has(name) || name.startsWith('x-forwarded-') || named?.has(name)) continue;
    headers[name] = value;
  }
  headers.authorization = `${credentials.scheme} ${credentials.token}`;
  if (credentials.proof !== undefined) headers.dpop = credentials.proof;
  const forwardedFor = forwardedChain(request);
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  headers['x-forwarded-proto'] = context.proto;
  headers['x-forwarded-host'] = context.host;
  headers['x-forwarded-prefix'] = context.prefix;
  if (body !== undefined) {
    const length = 'length' in body ? String(body.length) : body.declaredLength;
    if (length !== undefined) headers['content-length'] = length;
  }
  return headers;
}

/**
 * X-Forwarded-For, client first: the peer of the BFF's socket, preceded by
 * what trusted proxies said before it. Fastify's `trustProxy` decides whom to
 * believe: `request.ips` (present only when it is set) is the socket's peer,
 * then each address a trusted hop reported, ending with the first one not
 * trusted; anything a client wrote before that is dropped.
 */
function forwardedChain(request: FastifyRequest): string | undefined {
  const chain = request.ips;
  if (chain !== undefined && chain.length > 1) return [...chain].reverse().join(', ');
  return request.socket.remoteAddress;
}

/** The response headers for the browser: the API's, minus everything above and anything it named in Connection. */
export function responseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const named = connectionNamed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || DROP_RESPONSE.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * A Location on the API's own origin (absolute, or relative to the request,
 * which the browser would resolve against the BFF) under its base path, as the
 * BFF path that reaches it: `http://api:4001/notes/7` -> `/api/notes/7`. Any
 * other Location, or one that is not a URL, passes unchanged (nginx's
 * `proxy_redirect default`).
 */
export function rewriteLocation(location: string, requestUrl: URL, basePath: string, prefix: string): string {
  let target: URL;
  try {
    target = new URL(location, requestUrl);
  } catch {
    return location;
  }
  if (target.origin !== requestUrl.origin) return location;
  const { pathname } = target;
  if (basePath !== '' && pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return location;
  return `${prefix}${pathname.slice(basePath.length)}${target.search}${target.hash}`;
}
