import { sql } from 'drizzle-orm';
import { InteractionResponseType, MessageFlags, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPEN_TIERS } from '../../src/domain/tiers.js';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { updateGuildSettings } from '../../src/storage/guild-config-repo.js';
import { getSubmission, listQueue } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { linkTikTok, setDiscordPoints } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { MODULES_WITHOUT_JOBS, recordQueueChanges, type SeedOptions } from '../support/queue-changes.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
let t: TestBot;
let queueChanges: ReturnType<typeof recordQueueChanges>;

beforeEach(async () => {
  await database.reset();
  t = await startTestBot({ database, modules: MODULES_WITHOUT_JOBS });
  queueChanges = recordQueueChanges(database, t.bot.ctx.queueEvents);
});
afterEach(() => t.close());

/** Seeds a song; the change it made is heard before the test acts, and forgotten. */
const seed = (submitter: APIUser, options: SeedOptions = {}) =>
  queueChanges.seedHeard(t.guildId, submitter.id, options);
const queueOrder = async () =>
  (await listQueue(database.db, t.guildId, { tiers: OPEN_TIERS })).entries.map((e) => `${e.id} ${e.tier}`);
const points = async (user: APIUser) => {
  const [row] = await rowsOf<{ d: number; t: number | null }>(
    database.db,
    sql`SELECT (SELECT points FROM user_points WHERE guild_id = ${t.guildId} AND discord_user_id = ${user.id}) AS d,
               (SELECT points FROM tiktok_accounts WHERE guild_id = ${t.guildId} AND discord_user_id = ${user.id}) AS t`,
  );
  return row;
};
const auditRows = async () =>
  (await listAudit(database.db, t.guildId)).map((e) => [e.action, e.actorId, e.submissionId]);

/** A reviewer's command or button answer: a direct reply, or the edit after a deferral. */
async function privateAnswer(handle: ReturnType<typeof t.discord.slashCommand>): Promise<string> {
  const first = await handle.reply();
  expect(first.body.data.allowed_mentions ?? { parse: [] }).toEqual({ parse: [] });
  if (first.body.type === InteractionResponseType.ChannelMessageWithSource) {
    expect(first.body.data.flags).toBe(MessageFlags.Ephemeral);
    return String(first.body.data.content);
  }
  return String((await handle.editReply()).body.content);
}
const slash = (name: string, user: APIUser = t.users.reviewer) =>
  t.discord.slashCommand({ channelId: t.channels.general, user, name });
const posts = () => t.discord.channelMessages(t.channels.general);
const press = (customId: string, post: APIMessage, user: APIUser = t.users.reviewer) =>
  t.discord.button({ channelId: t.channels.general, user, customId, message: post });
const buttonIds = (message: APIMessage | undefined) =>
  (message?.components?.[0] as { components: { custom_id: string }[] } | undefined)?.components.map(
    (b) => b.custom_id,
  );

/** The viewer's 10 Skip waits first among two equal skips; they have Discord and TikTok points. */
async function mistakenNext() {
  const song = await seed(t.users.viewer, {
    tier: 'skip10',
    skipAmount: 10,
    tierSince: new Date(Date.now() - 600_000),
  });
  const later = await seed(t.users.other, { tier: 'skip10', skipAmount: 10 });
  await seed(t.users.admin, { score: 5 });
  await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 40);
  await linkTikTok(database.db, t.guildId, t.users.viewer.id, { id: '7001', handle: 'fan', points: 25 });
  const before = await queueOrder();
  expect(await privateAnswer(slash('next'))).toContain(`Now reviewing id ${song}`);
  expect(await points(t.users.viewer)).toEqual({ d: 0, t: 0 });
  return { song, later, before };
}

describe('Undo on a Now reviewing post', () => {
  it('puts the song back in its tier and place, gives the points back, logs it and says so on the post', async () => {
    const { song, before } = await mistakenNext();
    const update = await press(`review:undo:${song}`, posts()[0]!).reply();

    expect(update.body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(update.body.data.content).toContain(
      `Undone by <@${t.users.reviewer.id}>: back in 10 Skip, at its place.`,
    );
    expect(update.body.data.allowed_mentions).toEqual({ parse: [] });
    expect(buttonIds(posts()[0])).toEqual(['review:next']);
    expect(await queueOrder()).toEqual(before);
    expect(await points(t.users.viewer)).toEqual({ d: 40, t: 25 });
    expect(await auditRows()).toEqual([
      ['undo_take', t.users.reviewer.id, song],
      ['take', t.users.reviewer.id, song],
    ]);
    expect(await queueChanges.settle()).toEqual([t.guildId, t.guildId]);
    const audit = await t.discord
      .slashCommand({
        channelId: t.channels.general,
        user: t.users.admin,
        name: 'admin',
        subcommand: 'audit',
      })
      .reply();
    expect(audit.body.data.embeds?.[0]?.description?.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `\\*\\*Undid a review \\(back in the queue\\)\\*\\* by <@${t.users.reviewer.id}> · → <@${t.users.viewer.id}> · song #${song}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `\\*\\*Reviewed\\*\\* by <@${t.users.reviewer.id}> · → <@${t.users.viewer.id}> · song #${song}$`,
        ),
      ),
    ]);
  });

  it('is refused to a viewer, and changes nothing', async () => {
    const { song } = await mistakenNext();
    const reply = await press(`review:undo:${song}`, posts()[0]!, t.users.viewer).reply();
    expect(reply.body.data.content).toMatch(/Only reviewers/);
    expect((await getSubmission(database.db, t.guildId, song)).tier).toBe('played');
  });
});

describe('/undo-next', () => {
  it('undoes the last take of a Free song and edits its Now reviewing post', async () => {
    const song = await seed(t.users.viewer, { score: 50 });
    await seed(t.users.other, { score: 10 });
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 50);
    const before = await queueOrder();
    await privateAnswer(slash('next'));

    expect(await privateAnswer(slash('undo-next'))).toMatch(
      new RegExp(
        `^Undid the review of id ${song} \\*\\*Artist – Song \\d+\\*\\*: it is back in Free, at its place\\. Its submitter got their 50 points back\\.$`,
      ),
    );
    expect(posts()[0]?.content).toContain(`Undone by <@${t.users.reviewer.id}>: back in Free, at its place.`);
    expect(buttonIds(posts()[0])).toEqual(['review:next']);
    expect(await queueOrder()).toEqual(before);
    expect((await points(t.users.viewer))?.d).toBe(50);
    expect((await listAudit(database.db, t.guildId)).map((e) => e.action)).toEqual(['undo_take', 'take']);
  });

  it('is refused after the server’s window, pointing at /restore, and changes nothing', async () => {
    await updateGuildSettings(database.db, t.guildId, (s) => ({ ...s, undoNextMinutes: 1 }));
    const { song } = await mistakenNext();
    // The take happened two minutes ago.
    await database.db.execute(
      sql`UPDATE submissions SET played_at = played_at - interval '2 minutes' WHERE id = ${song}`,
    );
    await database.db.execute(
      sql`UPDATE take_records SET taken_at = taken_at - interval '2 minutes' WHERE submission_id = ${song}`,
    );

    expect(await privateAnswer(slash('undo-next'))).toBe(
      `A review can only be undone within 1 minute of taking the song. /restore id ${song} still puts it back in Free.`,
    );
    const late = await press(`review:undo:${song}`, posts()[0]!).reply();
    expect(late.body.data.content).toMatch(/can only be undone within 1 minute/);
    expect((await getSubmission(database.db, t.guildId, song)).tier).toBe('played');
    expect(await points(t.users.viewer)).toEqual({ d: 0, t: 0 });
    expect(buttonIds(posts()[0])).toHaveLength(5);
    expect(await auditRows()).toEqual([['take', t.users.reviewer.id, song]]);
  });

  it('is refused once the song was removed from the post, and when nothing was taken', async () => {
    expect(await privateAnswer(slash('undo-next'))).toBe('There is no review to undo in this server.');
    const { song } = await mistakenNext();
    await press(`review:remove:${song}`, posts()[0]!).reply();
    expect(await privateAnswer(slash('undo-next'))).toMatch(
      new RegExp(`^Song id ${song} has changed since it was taken \\(it is in Removed\\)`),
    );
    expect((await getSubmission(database.db, t.guildId, song)).tier).toBe('removed');
  });

  it('is refused to a viewer', async () => {
    await mistakenNext();
    expect(await privateAnswer(slash('undo-next', t.users.viewer))).toMatch(/Only reviewers/);
  });
});

describe('the undo window setting', () => {
  it('is set with /admin config set in plain words, and refused past an hour', async () => {
    const set = (value: string) =>
      t.discord.slashCommand({
        channelId: t.channels.general,
        user: t.users.admin,
        name: 'admin',
        subcommandGroup: 'config',
        subcommand: 'set',
        options: { key: 'undoNextMinutes', value },
      });
    expect(await privateAnswer(set('61'))).toContain(
      'Minutes a reviewer can undo /next (0 turns undo off) must be at most 60.',
    );
    await privateAnswer(set('0'));
    const { song } = await mistakenNext();
    expect(await privateAnswer(slash('undo-next'))).toBe(
      `Undoing a review is turned off in this server. /restore id ${song} still puts it back in Free.`,
    );
  });
});
