import type { FastifyRequest } from 'fastify';

/** A browser navigating (not fetch) should see a page, not JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small page for sign-in failures, with a way back (the app's home, `loginPath`). No script, no inline style. */
export function errorPage(title: string, message: string, code: string, loginPath: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p><p><small>Code: <code data-testid="error-code">${escape(code)}</code></small></p>
<p><a href="/">Back to the app</a> · <a href="${escape(loginPath)}">Sign in again</a></p></main></body></html>`;
}
