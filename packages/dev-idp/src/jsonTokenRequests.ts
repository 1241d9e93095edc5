import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { GrantCounter } from './counters.js';
import { BodyTooLarge, parseJsonObject, readBody, withBody } from './readBody.js';
import { TOKEN_PATH } from './tokenEndpoint.js';

export const JSON_ONLY_DESCRIPTION = 'this provider accepts only application/json token requests';

/**
 * The token endpoint of a `json` profile (seed-001): it accepts only
 * `application/json` bodies, which are re-encoded as the form body oidc-provider
 * parses; a form-encoded token request is refused. Every other route is untouched.
 */
export function jsonTokenRequests(next: RequestListener, counter: GrantCounter): RequestListener {
  return (req, res) => {
    if (req.method !== 'POST' || pathOf(req) !== TOKEN_PATH) {
      next(req, res);
      return;
    }
    translate(req, res, next, counter).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, err instanceof BodyTooLarge ? 413 : 400, 'failed to read the request body');
      else res.destroy();
    });
  };
}

async function translate(req: IncomingMessage, res: ServerResponse, next: RequestListener, counter: GrantCounter): Promise<void> {
  const body = await readBody(req);
  if (!isJson(req)) {
    counter.refused(new URLSearchParams(body.toString('utf8')).get('grant_type') ?? undefined);
    refuse(res, 400, JSON_ONLY_DESCRIPTION);
    return;
  }
  const json = parseJsonObject(body);
  if (json === undefined) {
    counter.refused(undefined);
    refuse(res, 400, 'the request body must be a JSON object');
    return;
  }
  next(withBody(req, 'application/x-www-form-urlencoded', Buffer.from(toForm(json).toString(), 'utf8')), res);
}

function toForm(json: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(json)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue;
      form.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  return form;
}

function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || (type?.startsWith('application/') === true && type.endsWith('+json'));
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function refuse(res: ServerResponse, status: number, description: string): void {
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}
