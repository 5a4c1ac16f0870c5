import { createHash } from 'node:crypto';
import type { HttpResponse } from '../../http/routes.js';

/**
 * A page with one inline style and one inline script, served with a Content Security Policy that
 * allows exactly those two (by hash): should user text ever reach the markup, it still could not run.
 * The pages carry their secret in the URL, so no Referer may leave them.
 */
export function htmlPage(page: {
  title: string;
  style: string;
  body: string;
  script: string;
  /** Where the page's forms may post: none unless it has one (the studio's sign-in). */
  formAction?: "'self'";
  /** The page's status: 200, or e.g. 401 for a page that says the visitor is signed out. */
  status?: number;
  /**
   * `no-referrer` for pages whose secret is in their URL. A page that posts to its own site needs
   * `same-origin`: under `no-referrer` a browser sends `Origin: null` with a POST, and the CSRF
   * check could not tell it from another site's.
   */
  referrerPolicy?: 'no-referrer' | 'same-origin';
}): () => HttpResponse {
  const referrer = page.referrerPolicy ?? 'no-referrer';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="${referrer}">
<title>${page.title}</title>
<style>${page.style}</style>
</head>
<body>
${page.body}
<script>${page.script}</script>
</body>
</html>
`;
  const policy = [
    "default-src 'none'",
    `script-src '${sha256(page.script)}'`,
    `style-src '${sha256(page.style)}'`,
    "connect-src 'self'",
    "media-src 'self'",
    "base-uri 'none'",
    `form-action ${page.formAction ?? "'none'"}`,
    "frame-ancestors 'none'",
  ].join('; ');
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': policy,
    'referrer-policy': referrer,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  return () => ({ status: page.status ?? 200, body: html, headers });
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text).digest('base64')}`;
}
