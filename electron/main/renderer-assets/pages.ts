// The few pages Cairn writes itself (no scripts, so the strict CSP applies unchanged): refusals in browser mode,
// and the page shown in the window or the browser while the GUI has not been built.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    '<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}' +
    'code{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}</style></head>' +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`;
}

/** The page of a refused request (401 or 403). */
export function refusedPage(status: number, reason: string): string {
  return page(status === 401 ? 'Cairn: access token needed' : 'Cairn: request refused', `<p>${escapeHtml(reason)}.</p>` +
    '<p>Cairn printed a link with a token when it started (<code>http://127.0.0.1:PORT/?token=...</code>); open that link.</p>');
}

/** The page shown while the renderer has not been built. */
export function notBuiltPage(reason: string): string {
  return page('Cairn: the GUI is not built', `<p>The local cluster and the API are running, but there is no GUI to show: ${escapeHtml(reason)}.</p>` +
    '<p>Build it with <code>npx vite build renderer</code> and reload this page.</p>');
}
