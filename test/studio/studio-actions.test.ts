import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { requestSkip } from '../../src/storage/queue-moves.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { queueSong, reviewerAnswer } from '../overlay/page-support.js';
import { openEventStream } from '../overlay/sse-reader.js';
import { signedInStudio } from './studio-support.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

/** The audit rows of one song, as the log keeps them: who did what, from where to where. */
const auditOf = (id: number) =>
  rowsOf<{ action: string; actor_id: string; details: Record<string, unknown> }>(
    database.db,
    sql`SELECT action, actor_id, details FROM audit_log WHERE submission_id = ${id} ORDER BY id`,
  );
const tierOf = async (id: number) =>
  (await rowsOf<{ tier: string }>(database.db, sql`SELECT tier FROM submissions WHERE id = ${id}`))[0]?.tier;

describe('studio actions write what the slash commands write', () => {
  it('move, remove, restore: the same audit rows as /move, /remove and /restore', async () => {
    const byWeb = await queueSong(t, { artist: 'Web', title: 'Song' });
    const bySlash = await queueSong(t, { artist: 'Slash', title: 'Song' });
    const studio = await signedInStudio(t);

    expect(await studio.act({ action: 'move', id: byWeb.id, shownIn: 'free', to: 'skip10' })).toEqual({
      status: 200,
      message: 'Moved Web – Song to 10 Skip.',
    });
    expect(await studio.act({ action: 'remove', id: byWeb.id, shownIn: 'skip10' })).toEqual({
      status: 200,
      message: 'Removed Web – Song. Its sender keeps a 10 Skip credit.',
    });
    expect(await studio.act({ action: 'restore', id: byWeb.id, shownIn: 'removed' })).toEqual({
      status: 200,
      message: 'Put Web – Song back in Free.',
    });
    await reviewerAnswer(t, 'move', { id: bySlash.id, tier: 'skip10' });
    await reviewerAnswer(t, 'remove', { id: bySlash.id });
    await reviewerAnswer(t, 'restore', { id: bySlash.id });

    const web = await auditOf(byWeb.id);
    expect(web.map((r) => r.action)).toEqual(['move', 'remove', 'restore']);
    expect(web).toEqual(await auditOf(bySlash.id));
    expect(new Set(web.map((r) => r.actor_id))).toEqual(new Set([t.users.reviewer.id]));
  });

  it('confirm and reject a pending skip, as /confirm-skip and /reject-skip do', async () => {
    const confirmed = await queueSong(t, {
      artist: 'Paid',
      title: 'Song',
      submitterId: '300000000000000001',
    });
    const rejected = await queueSong(t, {
      artist: 'Unpaid',
      title: 'Song',
      submitterId: '300000000000000002',
    });
    await requestSkip(database.db, t.guildId, confirmed.submitterId, 10);
    await requestSkip(database.db, t.guildId, rejected.submitterId, 15);
    const studio = await signedInStudio(t);
    expect(await studio.act({ action: 'confirm-skip', id: confirmed.id, shownIn: 'pending' })).toEqual({
      status: 200,
      message: 'Confirmed: Paid – Song is now in 10 Skip.',
    });
    expect(await studio.act({ action: 'reject-skip', id: rejected.id, shownIn: 'pending' })).toEqual({
      status: 200,
      message: 'Rejected the skip: Unpaid – Song is back in Free.',
    });
    expect((await auditOf(confirmed.id)).map((r) => [r.action, r.details])).toEqual([
      ['confirm_skip', { amount: 10, tier: 'skip10' }],
    ]);
    expect((await auditOf(rejected.id)).map((r) => [r.action, r.details])).toEqual([
      ['reject_skip', { amount: 15 }],
    ]);
  });

  it('Remove on the song under review takes it out of the history, audited as the reviewer', async () => {
    const song = await queueSong(t, { artist: 'Troll', title: 'Song' });
    await takeNextForReview(database.db, t.guildId, t.users.admin.id);
    const studio = await signedInStudio(t);
    expect(await studio.act({ action: 'remove', id: song.id, shownIn: 'played' })).toEqual({
      status: 200,
      message: 'Removed Troll – Song.',
    });
    expect(await tierOf(song.id)).toBe('removed');
    expect((await auditOf(song.id)).map((r) => [r.action, r.actor_id])).toEqual([
      ['take', t.users.admin.id],
      ['restore', t.users.reviewer.id],
      ['remove', t.users.reviewer.id],
    ]);
  });
});

describe('bad input changes nothing and says why', () => {
  it('an id that is not a number, a tier that does not exist, an unknown song', async () => {
    const song = await queueSong(t, { artist: 'Kept', title: 'Song' });
    const studio = await signedInStudio(t);
    const unknown = { status: 400, error: 'That is not an action the studio knows.' };
    expect(await studio.act({ action: 'remove', id: 'drop', shownIn: 'free' })).toEqual(unknown);
    expect(await studio.act({ action: 'move', id: song.id, shownIn: 'free', to: 'played' })).toEqual(unknown);
    expect(await studio.act({ action: 'remove', id: song.id + 1000, shownIn: 'free' })).toEqual({
      status: 409,
      error: `There is no song with id ${song.id + 1000} in this server's queue.`,
    });
    expect(await tierOf(song.id)).toBe('free');
  });

  it('a rating of a song not under review, or out of range, is refused', async () => {
    const song = await queueSong(t, { artist: 'Waiting', title: 'Song' });
    const studio = await signedInStudio(t);
    const notUnderReview = await studio.act({ action: 'rate', id: song.id, score: '8' });
    expect(notUnderReview.status).toBe(409);
    await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
    const outOfRange = await studio.act({ action: 'rate', id: song.id, score: '11' });
    expect(outOfRange.status).toBe(409);
    expect(outOfRange.error).toBe('A score goes up to 10.');
    expect(await rowsOf(database.db, sql`SELECT 1 FROM reviews`)).toEqual([]);
  });

  it('an action on a song another reviewer moved meanwhile is refused with what happened', async () => {
    const song = await queueSong(t, { artist: 'Moved', title: 'Song' });
    const studio = await signedInStudio(t);
    await reviewerAnswer(t, 'move', { id: song.id, tier: 'skip5' });
    expect(await studio.act({ action: 'move', id: song.id, shownIn: 'free', to: 'skip20' })).toEqual({
      status: 409,
      error: `Nothing was done: song ${song.id} was moved from Free to 5 Skip by someone else a moment ago.`,
    });
    expect(await tierOf(song.id)).toBe('skip5');
  });
});

describe('the first load', () => {
  it('stays within 100 KB with a long queue of the longest names, in four-byte characters', async () => {
    const longest = '\u{1F3B5}'.repeat(200);
    for (let n = 0; n < 90; n++) await queueSong(t, { artist: longest, title: longest });
    for (let n = 0; n < 12; n++) await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
    const pending = await queueSong(t, {
      artist: longest,
      title: longest,
      submitterId: '300000000000000009',
    });
    await requestSkip(database.db, t.guildId, pending.submitterId, 10);
    const studio = await signedInStudio(t);
    const html = Buffer.from(await (await studio.request('/studio')).arrayBuffer());
    const stream = await openEventStream(`${studio.base}/studio/events`, { cookie: studio.cookie });
    const firstEvent = await stream.until('}]}\n\n');
    stream.close();
    console.log(`studio first load: ${html.length} B page + ${Buffer.byteLength(firstEvent)} B first event`);
    expect(firstEvent).toContain('"waiting":79');
    expect(html.length + Buffer.byteLength(firstEvent)).toBeLessThanOrEqual(100 * 1024);
  });
});
