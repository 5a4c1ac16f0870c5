import { htmlPage } from './html-page.js';

/**
 * `GET /player/<token>`: a reviewer's own page for the song under review: plays an uploaded file,
 * opens a link in a new tab, and takes the next song or removes this one. Its content arrives over
 * `/player/<token>/events`; the buttons POST to `/player/<token>/next|remove` with the
 * `X-Player-Request` header, which a cross-site form or image cannot send.
 */
export const playerPage = htmlPage({
  title: 'Reviewer player',
  style: `
body { margin: 0 auto; max-width: 900px; padding: 32px; font-family: system-ui, sans-serif; background: #16171d; color: #eee; }
[hidden] { display: none !important; }
h1 { font-size: 20px; text-transform: uppercase; letter-spacing: 0.08em; color: #ffd54a; margin: 0 0 8px; }
h2 { font-size: 18px; color: #aaa; margin: 32px 0 8px; }
#song { font-size: 32px; font-weight: 700; overflow-wrap: anywhere; }
#note { color: #ccc; white-space: pre-wrap; overflow-wrap: anywhere; }
#link { color: #8ab4ff; font-size: 20px; overflow-wrap: anywhere; }
audio { width: 100%; margin: 16px 0; }
.actions { display: flex; gap: 12px; margin-top: 16px; }
button { font-size: 18px; padding: 10px 20px; border: 0; border-radius: 6px; cursor: pointer; color: #fff; }
button:disabled { opacity: 0.5; cursor: wait; }
#next { background: #4752c4; }
#remove { background: #c43c3c; }
#status { min-height: 1.5em; margin-top: 12px; color: #ffd54a; }
.tier { color: #ffd54a; margin-right: 12px; }
`,
  body: `<h1>Now reviewing</h1>
<div id="current" hidden>
  <div id="song"></div>
  <p id="note" hidden></p>
  <a id="link" target="_blank" rel="noopener noreferrer" hidden></a>
  <audio id="audio" controls preload="metadata" hidden></audio>
</div>
<p id="idle">Nothing is being reviewed. Press Next song to take the first song in line.</p>
<div class="actions">
  <button id="next" type="button">Next song</button>
  <button id="remove" type="button" hidden>Remove</button>
</div>
<div id="status" role="status"></div>
<h2>Up next</h2>
<ol id="up-next"></ol>`,
  script: `
const base = location.pathname.replace(/\\/$/, '');
const el = (id) => document.getElementById(id);
const songText = (s) => s.artist + ' \\u2013 ' + s.title;
let currentId = null;

function render(view) {
  const song = view.current;
  currentId = song ? song.id : null;
  el('current').hidden = !song;
  el('idle').hidden = Boolean(song);
  el('remove').hidden = !song;
  el('song').textContent = song ? songText(song) : '';
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
  const audioSrc = song && song.hasAudio ? base + '/audio/' + song.id : null;
  audio.hidden = !audioSrc;
  if (!audioSrc) {
    audio.pause();
    audio.removeAttribute('src');
  } else if (audio.getAttribute('src') !== audioSrc) {
    audio.src = audioSrc;
  }
  el('up-next').replaceChildren(...view.upNext.map((s) => {
    const item = document.createElement('li');
    const tier = document.createElement('span');
    tier.className = 'tier';
    tier.textContent = s.tier;
    item.append(tier, songText(s));
    return item;
  }));
}

async function act(action, body) {
  const buttons = [el('next'), el('remove')];
  buttons.forEach((b) => (b.disabled = true));
  try {
    const response = await fetch(base + '/' + action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-player-request': '1' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    el('status').textContent = answer.message || answer.error || 'That did not work (HTTP ' + response.status + ').';
  } catch {
    el('status').textContent = 'The bot cannot be reached; try again in a moment.';
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}
el('next').addEventListener('click', () => act('next', {}));
el('remove').addEventListener('click', () => currentId !== null && act('remove', { id: currentId }));

// EventSource reconnects by itself after a dropped stream, but gives up on an error status (a bot
// restarting, the module reloading): then try again a little later, until the URL is revoked.
function connect() {
  const events = new EventSource(base + '/events');
  let revoked = false;
  events.addEventListener('queue', (e) => render(JSON.parse(e.data)));
  events.addEventListener('revoked', () => {
    revoked = true;
    events.close();
    render({ current: null, upNext: [] });
    el('status').textContent = 'This player link was replaced. Use /player url for the new one.';
  });
  events.addEventListener('error', () => {
    if (!revoked && events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  });
}
connect();
`,
});
