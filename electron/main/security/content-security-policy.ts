// The Content-Security-Policy of the renderer page, shared by the Electron window (app:// protocol) and browser
// mode (HTTP): scripts only from the app itself, no eval, no plugins, no framing, no form posts, and network
// access only to the app's own origin (browser mode's socket). Monaco needs inline styles (it injects style
// elements); its workers and its codicon font are files of the build, so no blob: and no data: fonts.

/** The CSP for a page served from `origin`; `socketOrigins` are the ws:// origins the page may open. */
export function contentSecurityPolicy(socketOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${socketOrigins.map((origin) => ` ${origin}`).join('')}`,
    "worker-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Headers every renderer response carries, besides the CSP. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
