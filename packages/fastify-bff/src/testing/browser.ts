/**
 * A cookie-keeping HTTP client that signs in through the real IdP login form,
 * as a browser would. Cookies ignore ports (as browsers do), so the BFF's and
 * the IdP's cookies share one jar here too.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0\b/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Calls the BFF like the SPA does: X-CSRF on everything, JSON in and out. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test helper reading arbitrary JSON bodies
  async api(url: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = { 'x-csrf': '1' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test helper reading arbitrary JSON bodies
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body, headers: response.headers };
  }

  /**
   * /auth/login -> IdP form -> callback -> returnTo. Returns where the BFF
   * finally sent the browser (the returnTo path). `authPath`: where the BFF's
   * /auth routes are mounted (mount prefix included), default `/auth`.
   */
  async signIn(bffUrl: string, user: 'alice' | 'bob' = 'alice', returnTo = '/', authPath = '/auth'): Promise<{ landedOn: string }> {
    let url = new URL(`${authPath}/login?returnTo=${encodeURIComponent(returnTo)}`, bffUrl);
    let response = await this.fetch(url);
    let submitted = false;
    for (let step = 0; step < 15; step += 1) {
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, url);
        if (next.origin === new URL(bffUrl).origin && !next.pathname.startsWith(`${authPath}/`)) {
          return { landedOn: next.pathname + next.search };
        }
        url = next;
        response = await this.fetch(url);
        continue;
      }
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!action || submitted) throw new Error(`sign-in stopped at ${url.href} with ${response.status}: ${html.slice(0, 300)}`);
      submitted = true;
      url = new URL(action.replaceAll('&amp;', '&'), url);
      response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: user, password: `${user}-password` }).toString(),
      });
    }
    throw new Error('sign-in: too many redirects');
  }
}
