import { OPEN_TIERS, TIER_LABELS } from '../../domain/tiers.js';
import { htmlPage } from './html-page.js';

const tierOptions = JSON.stringify(OPEN_TIERS.map((t) => [t, TIER_LABELS[t]]));

/**
 * `GET /studio`: a reviewer's web studio. The song under review (its audio or link, rating form),
 * the queue by tier with every reviewer action, and the songs played or removed lately. Its content
 * arrives over `/studio/events`; actions POST JSON to `/studio/action` with the `X-Studio-Request`
 * header (which a form or image on another site cannot send) and the session cookie. Every string
 * from the queue is written as text. Keys: N takes the next song, R goes to the score. Admins also
 * get a link to the settings page (`/studio/me` says who is one).
 */
export const studioPage = htmlPage({
  title: 'Review studio',
  referrerPolicy: 'same-origin',
  style: `
body { margin: 0 auto; max-width: 1000px; padding: 24px; font: 16px system-ui, sans-serif; background: #16171d; color: #eee; }
[hidden] { display: none !important; }
header { display: flex; justify-content: space-between; align-items: center; gap: 12px; }
h1 { font-size: 18px; text-transform: uppercase; letter-spacing: 0.08em; color: #ffd54a; margin: 0; }
h2 { font-size: 17px; color: #aaa; margin: 28px 0 8px; }
#song { font-size: 28px; font-weight: 700; overflow-wrap: anywhere; }
.muted { color: #aaa; }
#note { color: #ccc; white-space: pre-wrap; overflow-wrap: anywhere; }
header nav { display: flex; gap: 16px; align-items: center; }
#settings { color: #8ab4ff; }
#link { color: #8ab4ff; font-size: 18px; overflow-wrap: anywhere; }
audio { width: 100%; margin: 12px 0; }
.row { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-top: 12px; }
button, select, input { font: inherit; border-radius: 6px; }
button { padding: 8px 16px; border: 0; cursor: pointer; color: #fff; background: #3a3d4a; }
button:disabled { opacity: 0.5; cursor: wait; }
button.primary { background: #4752c4; }
button.danger { background: #a33535; }
input, select { padding: 7px 10px; border: 1px solid #555; background: #22242c; color: #eee; }
#score { width: 5em; }
#verdict { flex: 1; min-width: 12em; }
#status { min-height: 1.5em; margin-top: 12px; color: #ffd54a; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; }
td { padding: 6px 8px; border-top: 1px solid #2c2e38; vertical-align: middle; overflow-wrap: anywhere; }
td.tier { color: #ffd54a; white-space: nowrap; }
td.acts { white-space: nowrap; text-align: right; }
td.acts > * { margin-left: 6px; }
kbd { border: 1px solid #666; border-radius: 4px; padding: 0 4px; font-size: 13px; }
`,
  body: `<header><h1>Review studio</h1><nav><a id="settings" href="/studio/settings" hidden>Settings</a><button id="sign-out" type="button">Sign out</button></nav></header>
<h2>Now reviewing</h2>
<div id="current" hidden>
  <div id="song"></div>
  <div class="muted" id="from"></div>
  <p id="note" hidden></p>
  <a id="link" target="_blank" rel="noopener noreferrer" hidden></a>
  <audio id="audio" controls preload="metadata" hidden></audio>
  <p id="rated" hidden></p>
  <form class="row" id="rate-form">
    <label>Score <input id="score" inputmode="decimal" autocomplete="off" placeholder="0–10" maxlength="5" required></label>
    <input id="verdict" autocomplete="off" placeholder="Verdict (optional)" maxlength="300">
    <button class="primary" id="rate" type="submit">Rate</button>
  </form>
</div>
<p id="idle">Nothing is being reviewed.</p>
<div class="row">
  <button class="primary" id="next" type="button">Next song <kbd>N</kbd></button>
  <button class="danger" id="remove-current" type="button" hidden>Remove this song</button>
  <span class="muted"><kbd>R</kbd> score</span>
</div>
<div id="status" role="status"></div>
<h2>Queue <span class="muted" id="waiting"></span></h2>
<table><tbody id="queue"></tbody></table>
<h2>Played and removed lately</h2>
<p class="muted" id="no-history">Nothing yet.</p>
<table><tbody id="history"></tbody></table>`,
  script: `
const TIERS = ${tierOptions};
const el = (id) => document.getElementById(id);
// Each text in its own <bdi>: a right-to-left override in an artist cannot reverse the title after it.
function isolated(text) {
  const node = document.createElement('bdi');
  node.textContent = text;
  return node;
}
const songNodes = (s) => [isolated(s.artist), ' \\u2013 ', isolated(s.title)];
let view = null;

function button(label, className, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

function cell(text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (text !== undefined) td.textContent = text;
  return td;
}

/** One song's row: tier, artist \u2013 title, who sent it, then the given action controls. */
function songRow(s, actions) {
  const tr = document.createElement('tr');
  const song = cell();
  song.append(...songNodes(s));
  const by = cell(undefined, 'muted');
  by.append(isolated(s.submitter));
  const acts = cell(undefined, 'acts');
  acts.append(...actions);
  tr.append(cell(s.tierLabel, 'tier'), song, by, acts);
  tr.dataset.id = String(s.id);
  return tr;
}

function queueRow(s) {
  const actions = [];
  if (s.tier === 'pending') {
    actions.push(
      button('Confirm skip', 'primary', () => act({ action: 'confirm-skip', id: s.id, shownIn: s.tier })),
      button('Reject skip', '', () => act({ action: 'reject-skip', id: s.id, shownIn: s.tier })),
    );
  }
  const move = document.createElement('select');
  move.setAttribute('aria-label', 'Move to tier');
  move.append(new Option('Move to\\u2026', ''));
  for (const [tier, label] of TIERS) if (tier !== s.tier) move.append(new Option(label, tier));
  move.addEventListener('change', () => {
    if (move.value) act({ action: 'move', id: s.id, shownIn: s.tier, to: move.value });
  });
  actions.push(move, button('Remove', 'danger', () => act({ action: 'remove', id: s.id, shownIn: s.tier })));
  return songRow(s, actions);
}

function historyRow(s) {
  return songRow(s, [button('Restore', '', () => act({ action: 'restore', id: s.id, shownIn: s.tier }))]);
}

function render(next) {
  const before = view && view.current ? view.current.id : null;
  view = next;
  const song = view.current;
  el('current').hidden = !song;
  el('idle').hidden = Boolean(song);
  el('remove-current').hidden = !song;
  el('song').replaceChildren(...(song ? songNodes(song) : []));
  el('from').replaceChildren(...(song ? ['Sent by ', isolated(song.submitter)] : []));
  el('note').hidden = !song || !song.note;
  el('note').textContent = song && song.note ? song.note : '';
  const link = el('link');
  link.hidden = !song || !song.link;
  if (song && song.link) {
    link.href = song.link;
    link.textContent = song.link;
  } else {
    link.removeAttribute('href');
  }
  const audio = el('audio');
  const audioSrc = song && song.hasAudio ? '/studio/audio/' + song.id : null;
  audio.hidden = !audioSrc;
  if (!audioSrc) {
    audio.pause();
    audio.removeAttribute('src');
  } else if (audio.getAttribute('src') !== audioSrc) {
    audio.src = audioSrc;
  }
  const rating = song && song.rating;
  el('rated').hidden = !rating;
  el('rated').textContent = rating ? 'Rated ' + rating.score + (rating.verdict ? ': ' + rating.verdict : '') : '';
  el('rate').textContent = rating ? 'Correct the rating' : 'Rate';
  if (!song || song.id !== before) {
    el('score').value = '';
    el('verdict').value = '';
  }
  const hidden = view.waiting - view.queue.length;
  el('waiting').textContent = '(' + view.waiting + ' waiting' + (hidden > 0 ? ', ' + hidden + ' more not shown' : '') + ')';
  el('queue').replaceChildren(...view.queue.map(queueRow));
  el('history').replaceChildren(...view.history.map(historyRow));
  el('no-history').hidden = view.history.length > 0;
}

let busy = false;
async function act(body) {
  if (busy) return;
  busy = true;
  document.querySelectorAll('button, select').forEach((b) => (b.disabled = true));
  try {
    const response = await fetch('/studio/action', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-studio-request': '1' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 401) return signedOut();
    el('status').textContent = answer.message || answer.error || 'That did not work (HTTP ' + response.status + ').';
  } catch {
    el('status').textContent = 'The bot cannot be reached; try again in a moment.';
  } finally {
    busy = false;
    document.querySelectorAll('button, select').forEach((b) => (b.disabled = false));
    if (view) render(view);
  }
}

function signedOut() {
  location.replace('/studio');
}

el('next').addEventListener('click', () => act({ action: 'next' }));
el('remove-current').addEventListener('click', () => {
  if (view && view.current) act({ action: 'remove', id: view.current.id, shownIn: view.current.tier });
});
el('rate-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!view || !view.current) return;
  act({
    action: 'rate',
    id: view.current.id,
    score: el('score').value,
    verdict: el('verdict').value,
    correcting: Boolean(view.current.rating),
  });
});
el('sign-out').addEventListener('click', async () => {
  await fetch('/studio/sign-out', { method: 'POST', headers: { 'x-studio-request': '1' } }).catch(() => {});
  signedOut();
});
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
  if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select')) return;
  if (e.key === 'n' || e.key === 'N') {
    e.preventDefault();
    act({ action: 'next' });
  } else if ((e.key === 'r' || e.key === 'R') && view && view.current) {
    e.preventDefault();
    el('score').focus();
  }
});

// EventSource reconnects by itself after a dropped stream, but gives up on an error status (a bot
// restarting, the module reloading): then look again a little later. A session that ended (signed
// out, role taken away) gets 'revoked' and goes to the signed-out page.
function connect() {
  const events = new EventSource('/studio/events');
  let revoked = false;
  events.addEventListener('queue', (e) => render(JSON.parse(e.data)));
  events.addEventListener('revoked', () => {
    revoked = true;
    events.close();
    signedOut();
  });
  events.addEventListener('error', () => {
    if (!revoked && events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  });
}
connect();
// Only admins may change the server's settings; the link is a convenience, the routes check again.
fetch('/studio/me')
  .then((response) => response.json())
  .then((me) => {
    el('settings').hidden = !me.admin;
  })
  .catch(() => {});
`,
});
