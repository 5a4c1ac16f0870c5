import { htmlPage } from './html-page.js';

/**
 * `GET /overlay/<token>`: a browser source for OBS or TikTok LIVE Studio at 1920×1080. The page is
 * the same for every guild; its content arrives over `/overlay/<token>/events` (the first event
 * right away, then one per change), and every user string is written with textContent.
 */
export const overlayPage = htmlPage({
  title: 'Queue overlay',
  style: `
html, body { margin: 0; background: transparent; }
body {
  font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #fff;
  padding: 48px;
  /* Readable over any video: a dark outline and shadow instead of a box. */
  text-shadow: 0 0 4px #000, 0 2px 6px #000, 0 0 12px rgba(0, 0, 0, 0.8);
}
[hidden] { display: none !important; }
h2 { margin: 0 0 8px; font-size: 32px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; color: #ffd54a; }
#now-song { font-size: 64px; font-weight: 800; line-height: 1.1; margin-bottom: 40px; }
ol { list-style: none; margin: 0; padding: 0; }
li { display: flex; align-items: baseline; gap: 20px; font-size: 40px; line-height: 1.35; }
.song, #now-song { max-width: 1500px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
#reveal { position: fixed; right: 48px; bottom: 48px; max-width: 900px; padding: 24px 36px; border-radius: 24px;
  background: rgba(0, 0, 0, 0.7); animation: reveal 0.6s ease-out; }
#reveal-score { font-size: 96px; font-weight: 900; color: #ffd54a; line-height: 1; }
#reveal-song, #reveal-verdict { font-size: 32px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
#reveal-verdict { font-style: italic; }
@keyframes reveal { from { transform: scale(0.6); opacity: 0; } to { transform: scale(1); opacity: 1; } }
.tier {
  flex: none; font-size: 26px; font-weight: 700; padding: 2px 14px; border-radius: 999px;
  background: rgba(0, 0, 0, 0.55); color: #ffd54a; text-shadow: none;
}
`,
  body: `<section id="now" hidden><h2>Now reviewing</h2><div id="now-song"></div></section>
<section id="next" hidden><h2>Up next</h2><ol id="up-next"></ol></section>
<section id="reveal" hidden><h2>Reviewed</h2><div id="reveal-score"></div><div id="reveal-song"></div><div id="reveal-verdict"></div></section>`,
  script: `
const now = document.getElementById('now');
const nowSong = document.getElementById('now-song');
const next = document.getElementById('next');
const upNext = document.getElementById('up-next');
// Artist and title each in a <bdi>: a right-to-left override in one cannot reverse the other.
function isolated(text) {
  const node = document.createElement('bdi');
  node.textContent = text;
  return node;
}
const songNodes = (s) => [isolated(s.artist), ' \\u2013 ', isolated(s.title)];
const revealBox = document.getElementById('reveal');
// The rating seen at the last update: undefined before the first one, so a page opened (or OBS
// reloading it) after a rating does not reveal it again.
let ratingKey;
let revealTimer;

function reveal(rating) {
  document.getElementById('reveal-score').textContent = rating.score;
  document.getElementById('reveal-song').replaceChildren(...songNodes(rating));
  document.getElementById('reveal-verdict').replaceChildren(isolated(rating.verdict ?? ''));
  revealBox.hidden = false;
  clearTimeout(revealTimer);
  revealTimer = setTimeout(() => (revealBox.hidden = true), 8000);
}

function render(view) {
  const rating = view.lastRating ?? null;
  if (ratingKey !== undefined && rating !== null && rating.key !== ratingKey) reveal(rating);
  ratingKey = rating ? rating.key : null;
  now.hidden = view.nowReviewing === null;
  nowSong.replaceChildren(...(view.nowReviewing ? songNodes(view.nowReviewing) : []));
  next.hidden = view.upNext.length === 0;
  upNext.replaceChildren(...view.upNext.map((s) => {
    const item = document.createElement('li');
    const tier = document.createElement('span');
    tier.className = 'tier';
    tier.textContent = s.tier;
    const song = document.createElement('span');
    song.className = 'song';
    song.append(...songNodes(s));
    item.append(tier, song);
    return item;
  }));
}

// EventSource reconnects by itself after a dropped stream, but gives up on an error status (a bot
// restarting, the module reloading): then try again a little later, until the URL is revoked.
function connect() {
  const events = new EventSource(location.pathname.replace(/\\/$/, '') + '/events' + location.search);
  let revoked = false;
  events.addEventListener('queue', (e) => render(JSON.parse(e.data)));
  events.addEventListener('revoked', () => {
    revoked = true;
    events.close();
    render({ nowReviewing: null, upNext: [] });
  });
  events.addEventListener('error', () => {
    if (!revoked && events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  });
}
connect();
`,
});
