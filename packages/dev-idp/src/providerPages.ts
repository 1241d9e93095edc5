import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, page } from './html.js';

/**
 * The pages oidc-provider renders itself. RP-initiated logout signs out at
 * once when the request names its client: by an id_token_hint (validated by
 * the provider), or by the client_id of one of this dev IdP's own
 * first-party clients (the BFF sends no ID token to the browser). A request
 * naming no client gets the confirmation page, as real IdPs show.
 */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const hinted = typeof ctx.oidc.params?.['id_token_hint'] === 'string' || ctx.oidc.client !== undefined;
  if (hinted) {
    const autoForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
    ctx.body = page(
      'Signing out',
      `<h1>Signing out…</h1>
${autoForm}
<button type="submit" form="op.logoutForm">Continue</button>
<script>document.getElementById('op.logoutForm').submit()</script>`,
    );
    return;
  }
  ctx.body = page(
    'Sign out',
    `<h1>Sign out of the Dev IdP?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.body = page('Signed out', '<h1>You are signed out</h1>\n<p>You can close this page.</p>');
}

export async function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
  ctx.type = 'html';
  const description = out.error_description === undefined ? '' : `<p>${escapeHtml(out.error_description)}</p>`;
  ctx.body = page(
    'Sign-in error',
    `<h1>Something went wrong</h1>
<p role="alert"><code>${escapeHtml(out.error)}</code></p>
${description}`,
  );
}
