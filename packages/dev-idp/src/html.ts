/** Escapes a value for HTML text and double-quoted attribute contexts. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f5f7;color:#1f2328;
    font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
  main{width:min(22rem,92vw);background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px rgba(0,0,0,.08)}
  h1{font-size:1.35rem;margin:0 0 1.25rem}
  label{display:block;font-weight:600;margin:.75rem 0 .25rem}
  input{width:100%;padding:.6rem .7rem;border:1px solid #c8ccd1;border-radius:8px;font:inherit}
  input:focus{outline:2px solid #3b6ef5;outline-offset:1px}
  button{margin-top:1.25rem;width:100%;padding:.65rem;border:0;border-radius:8px;background:#3b6ef5;color:#fff;
    font:inherit;font-weight:600;cursor:pointer}
  button.secondary{background:#e8eaee;color:#1f2328}
  [role=alert]{background:#fdecea;color:#8a1c12;border-radius:8px;padding:.6rem .8rem;margin:0 0 1rem}
  .hint{margin-top:1.5rem;font-size:.875rem;color:#57606a}
  .hint code{background:#f0f1f3;border-radius:4px;padding:0 .25rem}
`;

/** A complete page around already-escaped `body` HTML. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}
