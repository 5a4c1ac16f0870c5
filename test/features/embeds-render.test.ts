import { ComponentType, type APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { SERVING_TIERS, type Tier } from '../../src/domain/tiers.js';
import {
  clampPage,
  contentHash,
  PAGE_SIZE,
  renderEmbedMessage,
  type EmbedEntry,
  type EmbedMessage,
  type EmbedView,
} from '../../src/features/embeds/render.js';
import { EMBED_KINDS, type EmbedKind } from '../../src/storage/embed-configs-repo.js';

function entry(n: number, overrides: Partial<EmbedEntry> = {}): EmbedEntry {
  return {
    id: 1_000 + n,
    position: n,
    tier: 'free',
    artist: `Artist ${n}`,
    title: `Song ${n}`,
    submitterId: String(300000000000000000n + BigInt(n)),
    skipAmount: 0,
    requestedSkipAmount: null,
    ...overrides,
  };
}

function view(kind: EmbedKind, entries: EmbedEntry[], total = entries.length, page = 0): EmbedView {
  return { configId: 7, kind, page, total, entries };
}

/** Discord's limits on one message's embeds. */
function embedSize(e: APIEmbed): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

const customIds = (kind: EmbedKind, v: EmbedView) =>
  renderEmbedMessage(v).components.flatMap((row) =>
    row.components.map((c) => ('custom_id' in c ? `${c.custom_id}${c.disabled ? ' (disabled)' : ''}` : '')),
  );

const selectOptions = (message: EmbedMessage) =>
  message.components.flatMap((row) =>
    row.components.flatMap((c) => (c.type === ComponentType.StringSelect ? c.options : [])),
  );

describe('queue embed rendering', () => {
  it.each(EMBED_KINDS)('keeps a %s page of the longest, most escaped text within Discord limits', (kind) => {
    // Every character escapes to two; 200 is the stored maximum of artist and title.
    const nasty = '*_`|~@>'.repeat(30).slice(0, 200);
    const tiers: Tier[] = kind === 'pending_skips' ? ['pending'] : [...SERVING_TIERS];
    const entries = Array.from({ length: PAGE_SIZE[kind] }, (_, i) =>
      entry(99_990 + i, {
        id: 9_007_199_254_740_991 - i,
        tier: tiers[i % tiers.length]!,
        artist: nasty,
        title: nasty,
        submitterId: '99999999999999999999',
        skipAmount: 2_147_483_647,
        requestedSkipAmount: 2_147_483_647,
      }),
    );
    const message = renderEmbedMessage(view(kind, entries, 1_000_000, 3));
    expect(message.embeds.length).toBeLessThanOrEqual(10);
    for (const e of message.embeds) {
      expect(e.description?.length ?? 0).toBeLessThanOrEqual(4_096);
      expect(e.fields?.length ?? 0).toBeLessThanOrEqual(25);
      for (const f of e.fields ?? []) {
        expect(f.name.length).toBeLessThanOrEqual(256);
        expect(f.value.length).toBeLessThanOrEqual(1_024);
      }
    }
    expect(message.embeds.reduce((n, e) => n + embedSize(e), 0)).toBeLessThanOrEqual(6_000);
    expect(message.components.length).toBeLessThanOrEqual(5);
    for (const row of message.components) expect(row.components.length).toBeLessThanOrEqual(5);
    for (const option of selectOptions(message)) {
      expect(option.label.length).toBeLessThanOrEqual(100);
      expect(option.description?.length ?? 0).toBeLessThanOrEqual(100);
    }
    expect(selectOptions(message).length).toBeLessThanOrEqual(25);
    const ids = message.components.flatMap((row) =>
      row.components.map((c) => ('custom_id' in c ? c.custom_id : '')),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('escapes user text: no live mention or markdown from artist and title', () => {
    const e = renderEmbedMessage(
      view('live_queue', [entry(1, { artist: '@everyone', title: '**loud** <@&1>' })]),
    );
    expect(e.embeds[0]?.description).not.toContain('@everyone');
    expect(e.embeds[0]?.description).toContain('\\*\\*loud\\*\\*');
  });

  it('groups the live queue under tier headings in queue order', () => {
    const e = renderEmbedMessage(
      view('live_queue', [entry(1, { tier: 'skip25', skipAmount: 30 }), entry(2), entry(3)]),
    );
    expect(e.embeds[0]?.description?.split('\n')).toEqual([
      '**25+ Skip**',
      '`1.` Artist 1 – Song 1 · 30 skip · <@300000000000000001>',
      '**Free**',
      '`2.` Artist 2 – Song 2 · <@300000000000000002>',
      '`3.` Artist 3 – Song 3 · <@300000000000000003>',
    ]);
  });

  it('shows submission ids in the reviewer queue only', () => {
    expect(renderEmbedMessage(view('reviewer_queue', [entry(1)])).embeds[0]?.description).toContain(
      '`#1001`',
    );
    expect(renderEmbedMessage(view('live_queue', [entry(1)])).embeds[0]?.description).not.toContain('#1001');
  });

  it('gives page buttons carrying the embed id and the target page, only when there are pages', () => {
    expect(customIds('live_queue', view('live_queue', [entry(1)]))).toEqual([]);
    expect(customIds('live_queue', view('live_queue', [entry(1)], 25, 0))).toEqual([
      'embeds:page:7:0 (disabled)',
      'embeds:page:7:1',
    ]);
    expect(customIds('live_queue', view('live_queue', [entry(21)], 25, 2))).toEqual([
      'embeds:page:7:1',
      'embeds:page:7:2 (disabled)',
    ]);
  });

  it('puts Confirm and Reject for each pending skip, then the page buttons', () => {
    const pending = [entry(1, { tier: 'pending', requestedSkipAmount: 15 }), entry(2, { tier: 'pending' })];
    expect(customIds('pending_skips', view('pending_skips', pending, 9))).toEqual([
      'review:confirm:1001',
      'review:reject:1001',
      'review:confirm:1002',
      'review:reject:1002',
      'embeds:page:7:0 (disabled)',
      'embeds:page:7:1',
    ]);
  });

  it('gives the reviewer queue a Remove menu for the page and Next song beside the page buttons', () => {
    expect(customIds('reviewer_queue', view('reviewer_queue', [entry(1), entry(2)], 30, 0))).toEqual([
      'embeds:remove:7',
      'review:next',
      'embeds:page:7:0 (disabled)',
      'embeds:page:7:1',
    ]);
    const options = selectOptions(renderEmbedMessage(view('reviewer_queue', [entry(1), entry(2)])));
    expect(options.map((o) => o.value)).toEqual(['1001', '1002']);
    expect(options[0]).toMatchObject({ label: 'Artist 1 – Song 1', description: '#1001 · 1. in Free' });
  });

  it('disables Next song on an empty reviewer queue and offers no Remove menu', () => {
    expect(customIds('reviewer_queue', view('reviewer_queue', []))).toEqual(['review:next (disabled)']);
  });

  it('shows user text in a Remove option on one line, capped, without markdown escapes', () => {
    const [option] = selectOptions(
      renderEmbedMessage(
        view('reviewer_queue', [entry(1, { artist: '**DJ**\n_x_', title: 'y'.repeat(200) })]),
      ),
    );
    expect(option?.label).toMatch(/^\*\*DJ\*\* _x_ – y+…$/);
    expect(option?.label).toHaveLength(100);
  });

  it('always sets empty content, so an edit clears any text the message had', () => {
    for (const kind of EMBED_KINDS) expect(renderEmbedMessage(view(kind, [entry(1)])).content).toBe('');
  });

  it('moves a page past the end back to the last page', () => {
    expect(clampPage('live_queue', 25, 9)).toBe(2);
    expect(clampPage('live_queue', 0, 3)).toBe(0);
  });

  it('hashes equal content equally and any visible change differently', () => {
    const base = view('live_queue', [entry(1), entry(2)]);
    const hash = contentHash(renderEmbedMessage(base));
    expect(contentHash(renderEmbedMessage(structuredClone(base)))).toBe(hash);
    expect(contentHash(renderEmbedMessage({ ...base, total: 3 }))).not.toBe(hash);
    expect(contentHash(renderEmbedMessage(view('live_queue', [entry(2), entry(1)])))).not.toBe(hash);
  });
});
