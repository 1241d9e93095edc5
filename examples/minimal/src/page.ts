/**
 * The example's whole front end: it talks only to its own origin, sends
 * `X-CSRF: 1` on every call the BFF guards, and never sees a token.
 */
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Minimal BFF example</title></head>
<body>
<h1>Minimal BFF example</h1>
<p><a href="/auth/login?returnTo=/">Sign in</a></p>
<p>
  <button data-call="GET /auth/session">Session</button>
  <button data-call="GET /api/me">GET /api/me</button>
  <button data-call="POST /auth/refresh">Stay signed in</button>
  <button data-call="POST /auth/logout">Sign out</button>
</p>
<pre id="out"></pre>
<script type="module">
  for (const button of document.querySelectorAll('button[data-call]')) {
    button.addEventListener('click', async () => {
      const [method, path] = button.dataset.call.split(' ');
      const response = await fetch(path, { method, headers: { 'X-CSRF': '1' } });
      const body = await response.json().catch(() => null);
      document.getElementById('out').textContent = response.status + ' ' + JSON.stringify(body, null, 2);
      if (path === '/auth/logout') location.href = body?.endSessionUrl ?? '/';
    });
  }
</script>
</body></html>
`;
