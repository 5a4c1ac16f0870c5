import { htmlPage } from './html-page.js';

/**
 * `GET /queue/<token>`: the server's public queue page, for viewers on their phones. The page is the
 * same for every guild; its content arrives over `/queue/<token>/events` (the first event right away,
 * then one per change). Every user string is written with textContent, each in its own bidi isolate
 * so a right-to-left override in an artist cannot reverse the title after it.
 */
export const publicPage = htmlPage({
  title: 'Song queue',
  style: `
:root { color-scheme: dark; }
body {
  margin: 0 auto; max-width: 720px; padding: 16px; box-sizing: border-box;
  font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #121318; color: #eee;
}
[hidden] { display: none !important; }
h1 { font-size: 22px; margin: 4px 0 16px; }
h2 { font-size: 14px; text-transform: uppercase; letter-spacing: 0.08em; color: #ffd54a; margin: 24px 0 8px; }
.song, .by, .review { overflow-wrap: anywhere; }
.artist, .title, .name, .verdict { unicode-bidi: isolate; }
.score { font-weight: 700; color: #ffd166; }
.review { font-size: 14px; }
#now-card { background: #23252e; border-radius: 12px; padding: 14px 16px; }
#now-card .song { font-size: 20px; font-weight: 700; }
.by { color: #a9adbb; font-size: 14px; }
ol { list-style: none; margin: 0; padding: 0; }
li { display: grid; grid-template-columns: 2.2em 1fr; gap: 2px 8px; padding: 10px 0; border-bottom: 1px solid #2a2c36; }
li > div { min-width: 0; }
.place { color: #a9adbb; text-align: right; }
.tier {
  display: inline-block; font-size: 12px; font-weight: 700; padding: 1px 8px; margin-right: 6px;
  border-radius: 999px; background: #3a3120; color: #ffd54a; vertical-align: 1px;
}
#played li { grid-template-columns: 1fr; }
.empty, #more, #status { color: #a9adbb; }
`,
  body: `<h1>Song queue</h1>
<p id="status" role="status">Loading…</p>
<section id="now" hidden><h2>Now reviewing</h2><div id="now-card"></div></section>
<section id="waiting" hidden>
  <h2 id="waiting-title">Up next</h2>
  <ol id="queue"></ol>
  <p id="more" hidden></p>
  <p id="no-songs" class="empty" hidden>No songs are waiting.</p>
</section>
<section id="recent" hidden><h2>Recently played and rated</h2><ol id="played"></ol></section>`,
  script: `
const el = (id) => document.getElementById(id);
const text = (tag, className, value) => {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = value;
  return node;
};
function songLines(s) {
  const song = document.createElement('div');
  song.className = 'song';
  song.append(text('span', 'artist', s.artist), ' \\u2013 ', text('span', 'title', s.title));
  const by = document.createElement('div');
  by.className = 'by';
  by.append('sent by ', text('span', 'name', s.submitter));
  return [song, by];
}

function render(view) {
  el('status').hidden = true;
  el('now').hidden = view.nowReviewing === null;
  el('now-card').replaceChildren(...(view.nowReviewing ? songLines(view.nowReviewing) : []));
  el('waiting').hidden = false;
  el('waiting-title').textContent = 'Up next (' + view.waiting + ' waiting)';
  el('no-songs').hidden = view.waiting > 0;
  el('queue').replaceChildren(...view.queue.map((s) => {
    const item = document.createElement('li');
    const body = document.createElement('div');
    const [song, by] = songLines(s);
    song.prepend(text('span', 'tier', s.tier));
    body.append(song, by);
    item.append(text('span', 'place', String(s.place)), body);
    return item;
  }));
  const more = view.waiting - view.queue.length;
  el('more').hidden = more <= 0;
  el('more').textContent = 'and ' + more + ' more';
  el('recent').hidden = view.recentlyPlayed.length === 0;
  el('played').replaceChildren(...view.recentlyPlayed.map((s) => {
    const item = document.createElement('li');
    item.append(...songLines(s));
    if (s.score) {
      const review = text('div', 'review', '');
      review.append(text('span', 'score', s.score));
      if (s.verdict) review.append(' ', text('span', 'verdict', s.verdict));
      item.append(review);
    }
    return item;
  }));
}

// EventSource reconnects by itself after a dropped stream, but gives up on an error status (a bot
// restarting, the module reloading): then try again a little later, until the page is switched off.
function connect() {
  const events = new EventSource(location.pathname.replace(/\\/$/, '') + '/events');
  let revoked = false;
  events.addEventListener('queue', (e) => render(JSON.parse(e.data)));
  events.addEventListener('revoked', () => {
    revoked = true;
    events.close();
    ['now', 'waiting', 'recent'].forEach((id) => (el(id).hidden = true));
    el('status').hidden = false;
    el('status').textContent = 'This queue page is no longer available. Ask in the Discord server for the current link.';
  });
  events.addEventListener('error', () => {
    if (!revoked && events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  });
}
connect();
`,
});
