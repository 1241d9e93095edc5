/**
 * A minimal cookie-keeping HTTP client that walks an authorization request through
 * the IdP's own login form, as a browser would, without following the final
 * redirect to the client.
 */
export class Browser {
  readonly #cookies = new Map<string, string>();

  async get(url: string | URL): Promise<Response> {
    return this.#send(url, { method: 'GET' });
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.#send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  async #send(url: string | URL, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set('cookie', [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }
}

export interface SignInResult {
  /** the redirect back to the client (code or error), when one happened */
  callback?: URL;
  /** the last page the IdP rendered instead */
  page?: { status: number; html: string };
  /** how many times the login form was shown */
  formsShown: number;
}

const LOGIN_ACTION = /action="([^"]*\/interaction\/[^"]+\/login)"/;

/** Follows the authorization request; fills the login form with `credentials` once. */
export async function signIn(
  browser: Browser,
  authorizationUrl: URL,
  redirectUri: string,
  credentials: { username: string; password: string } | undefined,
): Promise<SignInResult> {
  let response = await browser.get(authorizationUrl);
  let formsShown = 0;
  let submitted = false;
  for (let step = 0; step < 12; step += 1) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const next = new URL(location, authorizationUrl);
      if (next.href.startsWith(redirectUri)) return { callback: next, formsShown };
      response = await browser.get(next);
      continue;
    }
    const html = await response.text();
    const autoSubmit = autoSubmitForm(html);
    if (autoSubmit !== undefined) {
      response = await browser.post(new URL(autoSubmit.action, authorizationUrl), autoSubmit.fields);
      continue;
    }
    const action = LOGIN_ACTION.exec(html)?.[1];
    if (action === undefined) return { page: { status: response.status, html }, formsShown };
    formsShown += 1;
    if (credentials === undefined || submitted) return { page: { status: response.status, html }, formsShown };
    submitted = true;
    response = await browser.post(new URL(action, authorizationUrl), credentials);
  }
  throw new Error('too many redirects');
}

/** oidc-provider's self-submitting forms (e.g. ending the previous session when the user changes). */
function autoSubmitForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  if (!html.includes('.submit()')) return undefined;
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (action === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    const [, name = '', value = ''] = match;
    fields[name] = value;
  }
  return { action: action.replaceAll('&amp;', '&'), fields };
}
