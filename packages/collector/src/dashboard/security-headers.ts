/**
 * Headers on every dashboard answer (page, assets, `/api/`). The policy allows scripts, styles and fetches from this
 * origin only: no inline script, no `eval`, no third-party host, so a value that slipped into the page as markup
 * could still not run. Styles set through the DOM (`element.style`, as the chart library does) are not inline
 * stylesheets and stay allowed. Nothing may frame the page.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
