import { htmlPage } from './html-page.js';

/** The look of the studio's one-message pages (sign-in, signed out, not an admin). */
export const messagePageStyle = `
body { margin: 0 auto; max-width: 560px; padding: 48px 24px; font: 17px system-ui, sans-serif; background: #16171d; color: #eee; }
h1 { font-size: 20px; color: #ffd54a; }
button { font: inherit; font-size: 18px; padding: 10px 22px; border: 0; border-radius: 6px; cursor: pointer; color: #fff; background: #4752c4; }
`;

/**
 * `GET /studio/sign-in/<token>`: a button, not the sign-in itself. Discord and chat apps fetch links
 * to preview them; if opening the link signed in, a preview would spend it. The form posts back to
 * the same address (`form-action 'self'`).
 */
export const studioSignInPage = htmlPage({
  title: 'Sign in to the review studio',
  referrerPolicy: 'same-origin',
  style: messagePageStyle,
  formAction: "'self'",
  body: `<h1>Review studio</h1>
<p>This link signs you in to the review studio of your Discord server. It works once.</p>
<form method="post"><button type="submit">Open the studio</button></form>`,
  script: '',
});

/** What `/studio` and its sign-in answer to anyone without a session (401). */
export const studioSignedOutPage = htmlPage({
  title: 'Review studio: signed out',
  style: messagePageStyle,
  status: 401,
  body: `<h1>You are not signed in</h1>
<p>Use <b>/studio</b> in your Discord server to get a sign-in link. Only reviewers can use the studio.</p>`,
  script: '',
});

/** A sign-in link that was used, expired, or is not the visitor's any more (403). */
export const studioLinkSpentPage = htmlPage({
  title: 'Review studio: link expired',
  style: messagePageStyle,
  status: 403,
  body: `<h1>This sign-in link no longer works</h1>
<p>A sign-in link works once and for 10 minutes, and only for a reviewer. Use <b>/studio</b> in your Discord server for a new one.</p>`,
  script: '',
});
