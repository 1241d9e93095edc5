import { USERS } from './accounts.js';
import { escapeHtml, page } from './html.js';

export const LOGIN_TITLE = 'Sign in to the Dev IdP';
export const INVALID_CREDENTIALS = 'Invalid username or password.';

export interface LoginPageOptions {
  /** where the form posts to */
  action: string;
  /** prefilled username (login_hint or the previous attempt) */
  username?: string | undefined;
  error?: string | undefined;
}

export function loginPage({ action, username, error }: LoginPageOptions): string {
  const alert = error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>\n`;
  // the demo credentials are shown on purpose: this provider is for development only
  const credentials = USERS.map((user) => `<li><code>${escapeHtml(user.sub)}</code> / <code>${escapeHtml(user.password)}</code></li>`).join(
    '',
  );
  return page(
    LOGIN_TITLE,
    `<h1>${escapeHtml(LOGIN_TITLE)}</h1>
${alert}<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${escapeHtml(username ?? '')}" autocapitalize="none" spellcheck="false" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<div class="hint">Demo accounts:<ul>${credentials}</ul></div>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
