import { htmlPage } from './html-page.js';
import { messagePageStyle } from './studio-sign-in-pages.js';

const style = `
body { margin: 0 auto; max-width: 820px; padding: 24px; font: 16px system-ui, sans-serif; background: #16171d; color: #eee; }
header { display: flex; justify-content: space-between; align-items: center; gap: 12px; }
h1 { font-size: 18px; text-transform: uppercase; letter-spacing: 0.08em; color: #ffd54a; margin: 0; }
h2 { font-size: 17px; color: #aaa; margin: 28px 0 4px; }
a { color: #8ab4ff; }
#status { position: sticky; top: 0; min-height: 1.5em; padding: 8px 0; background: #16171d; color: #ffd54a; white-space: pre-wrap; overflow-wrap: anywhere; }
form { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 12px 0; border-top: 1px solid #2c2e38; }
label { flex: 1 1 100%; font-weight: 600; }
.help { flex: 1 1 100%; margin: 0; color: #aaa; font-size: 14px; }
button, select, input { font: inherit; border-radius: 6px; }
input, select { padding: 6px 10px; border: 1px solid #555; background: #22242c; color: #eee; width: 10em; box-sizing: border-box; }
button { padding: 7px 16px; border: 0; cursor: pointer; color: #fff; background: #4752c4; }
button:disabled { opacity: 0.5; cursor: wait; }
`;

/**
 * `GET /studio/settings`: every per-server setting, by section, with its label, a line of help, an
 * input and a Save button. Values come from `/studio/settings/data`; a Save POSTs `{ key, value }`
 * to `/studio/settings` with the `X-Studio-Request` header, and the answer (the words
 * `/admin config set` uses) goes to the status line. Every string is written as text.
 */
export const studioSettingsPage = htmlPage({
  title: 'Server settings',
  referrerPolicy: 'same-origin',
  style,
  body: `<header><h1>Server settings</h1><a href="/studio">Back to the studio</a></header>
<div id="status" role="status">Loading the settings…</div>
<div id="sections"></div>`,
  script: `
const el = (id) => document.getElementById(id);
const rows = new Map();
function say(text) {
  el('status').textContent = text;
}

function make(tag, props) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  return node;
}

function input(setting, id) {
  if (setting.kind === 'number') {
    return make('input', { id, inputMode: 'numeric', autocomplete: 'off', maxLength: 40 });
  }
  const select = make('select', { id });
  const choices = setting.kind === 'tier' ? setting.choices : [{ value: 'on', label: 'on' }, { value: 'off', label: 'off' }];
  for (const c of choices) select.append(new Option(c.label, c.value));
  return select;
}

function row(setting) {
  const id = 'setting-' + setting.key.replace(/\\./g, '-');
  const form = make('form');
  const label = make('label', { htmlFor: id });
  const help = make('p', { id: id + '-help', className: 'help', textContent: setting.help });
  const field = input(setting, id);
  field.setAttribute('aria-describedby', help.id);
  const save = make('button', { type: 'submit', textContent: 'Save' });
  save.setAttribute('aria-label', 'Save ' + setting.label);
  form.append(label, help, field, save);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send(setting.key, field.value, save);
  });
  rows.set(setting.key, { label, field, save });
  return form;
}

function show(data) {
  for (const section of data.sections) {
    for (const setting of section.settings) {
      if (!rows.has(setting.key)) continue;
      const r = rows.get(setting.key);
      r.label.textContent = setting.label;
      r.save.setAttribute('aria-label', 'Save ' + setting.label);
      r.field.value = setting.kind === 'tier' ? setting.tier : setting.value;
    }
  }
}

async function load() {
  const response = await fetch('/studio/settings/data');
  if (response.status === 401) return location.replace('/studio');
  if (response.status === 403) return location.reload();
  const data = await response.json();
  if (rows.size === 0) {
    const parts = [];
    for (const section of data.sections) {
      parts.push(make('h2', { textContent: section.title }), ...section.settings.map(row));
    }
    el('sections').replaceChildren(...parts);
  }
  show(data);
}

async function send(key, value, save) {
  save.disabled = true;
  try {
    const response = await fetch('/studio/settings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-studio-request': '1' },
      body: JSON.stringify({ key, value }),
    });
    if (response.status === 401) return location.replace('/studio');
    const answer = await response.json().catch(() => ({}));
    say(answer.message || answer.error || 'That did not work (HTTP ' + response.status + ').');
    if (response.ok) await load();
  } catch {
    say('The bot cannot be reached; try again in a moment.');
  } finally {
    save.disabled = false;
  }
}

load().then(
  () => say(''),
  () => say('The settings could not be loaded; reload the page in a moment.'),
);
`,
});

/** `/studio/settings` for a reviewer who may not change the server's settings (403). */
export const studioNotAdminPage = htmlPage({
  title: 'Server settings: admins only',
  style: `${messagePageStyle}a { color: #8ab4ff; }
`,
  status: 403,
  referrerPolicy: 'same-origin',
  body: `<h1>Only admins can change the settings</h1>
<p>The server settings are for members with the Manage Server permission. <a href="/studio">Back to the studio</a></p>`,
  script: '',
});
