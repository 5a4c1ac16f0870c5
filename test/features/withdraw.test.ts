import { sql } from 'drizzle-orm';
import { InteractionResponseType, MessageFlags, type APIUser } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { updateGuildSettings } from '../../src/storage/guild-config-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard, type OptionValue } from '../support/discord/index.js';
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
const tierOf = async (id: number) => (await getSubmission(database.db, t.guildId, id)).tier;
const credits = () =>
  rowsOf<{ discord_user_id: string; tier: string }>(
    database.db,
    sql`SELECT discord_user_id, tier FROM skip_credits WHERE used_at IS NULL ORDER BY id`,
  );

function command(name: string, options: Record<string, OptionValue> = {}, user: APIUser = t.users.viewer) {
  return t.discord.slashCommand({ channelId: t.channels.general, user, name, options });
}

/** A command's ephemeral answer, sent without mentions. */
async function answer(name: string, options: Record<string, OptionValue> = {}, user?: APIUser) {
  const reply = await command(name, options, user).reply();
  expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
  expect(reply.body.data.allowed_mentions).toEqual({ parse: [] });
  return String(reply.body.data.content);
}

describe('/withdraw', () => {
  it('takes the viewer’s only waiting song out without an id; a paid skip stays as a credit', async () => {
    const id = await seed(t.users.viewer, { tier: 'skip15', skipAmount: 15 });
    expect(await answer('withdraw')).toMatch(
      new RegExp(
        `^Withdrew id ${id} \\*\\*Artist – Song \\d+\\*\\* from the queue\\. Your 15 Skip stays as a credit`,
      ),
    );
    expect(await tierOf(id)).toBe('removed');
    expect(await credits()).toEqual([{ discord_user_id: t.users.viewer.id, tier: 'skip15' }]);
    const [entry] = await listAudit(database.db, t.guildId);
    expect(entry).toMatchObject({
      action: 'withdraw',
      actorId: t.users.viewer.id,
      targetUserId: t.users.viewer.id,
      submissionId: id,
    });
    expect(await queueChanges.settle()).toEqual([t.guildId]);
    const audit = await t.discord
      .slashCommand({
        channelId: t.channels.general,
        user: t.users.admin,
        name: 'admin',
        subcommand: 'audit',
      })
      .reply();
    expect(audit.body.data.embeds?.[0]?.description).toMatch(
      new RegExp(
        `\\*\\*Withdrawn by the submitter\\*\\* by <@${t.users.viewer.id}> · → <@${t.users.viewer.id}> · song #${id}$`,
      ),
    );
  });

  it('is what the refusal of a second song points to, and frees the place for a new one', async () => {
    const first = await seed(t.users.viewer, { submittedAt: new Date(Date.now() - 3_600_000) });
    /** /submit in the song requests channel; its answer may follow a deferral. */
    const submit = async (title: string) => {
      const handle = t.discord.slashCommand({
        channelId: t.channels.submissions,
        user: t.users.viewer,
        name: 'submit',
        options: { artist: 'Artist', title, link: `https://soundcloud.com/artist/${title}` },
      });
      const first = await handle.reply();
      if (first.body.type === InteractionResponseType.DeferredChannelMessageWithSource) {
        return String((await handle.editReply()).body.content);
      }
      return String(first.body.data.content);
    };
    expect(await submit('second')).toMatch(/already have a song waiting.*\/withdraw/);
    await answer('withdraw', { id: first });
    expect(await submit('second')).toMatch(/Queued/);
  });

  it('autocompletes only the viewer’s own waiting songs, and asks which one when there are several', async () => {
    await updateGuildSettings(database.db, t.guildId, (s) => ({
      ...s,
      submissionRules: { ...s.submissionRules, maxOpenPerUser: 5 },
    }));
    const free = await seed(t.users.viewer);
    const pending = await seed(t.users.viewer, { tier: 'pending', skipAmount: 5 });
    await seed(t.users.viewer, { tier: 'played' });
    await seed(t.users.other);
    const { body } = await t.discord
      .autocomplete({
        channelId: t.channels.general,
        user: t.users.viewer,
        name: 'withdraw',
        options: { id: '' },
        focused: 'id',
      })
      .reply();
    expect(body.type).toBe(InteractionResponseType.ApplicationCommandAutocompleteResult);
    expect(body.data.choices).toEqual([
      {
        name: expect.stringMatching(new RegExp(`^id ${free} · Artist – Song \\d+ \\(Free\\)$`)),
        value: free,
      },
      {
        name: expect.stringMatching(new RegExp(`^id ${pending} · Artist – Song \\d+ \\(Pending Skips\\)$`)),
        value: pending,
      },
    ]);
    expect(await answer('withdraw')).toBe(
      `You have 2 songs waiting (ids ${free}, ${pending}); pick one in the id option.`,
    );
    expect(await answer('withdraw', { id: pending })).toMatch(/^Withdrew/);
    expect([await tierOf(free), await tierOf(pending)]).toEqual(['free', 'removed']);
  });

  it('refuses someone else’s song, an unknown id and a played song, and changes nothing', async () => {
    const theirs = await seed(t.users.other, { tier: 'skip5', skipAmount: 5 });
    const played = await seed(t.users.viewer, { tier: 'played' });
    expect(await answer('withdraw', { id: theirs })).toBe(
      `You have no song with id ${theirs} in this server's queue.`,
    );
    expect(await answer('withdraw', { id: 987_654 })).toBe(
      "You have no song with id 987654 in this server's queue.",
    );
    expect(await answer('withdraw', { id: played })).toBe(
      'This song has already been played, so it can no longer be withdrawn.',
    );
    expect(await answer('withdraw')).toBe('You have no song waiting in the queue.');
    expect([await tierOf(theirs), await tierOf(played)]).toEqual(['skip5', 'played']);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
    expect(await queueChanges.settle()).toEqual([]);
  });
});

describe('Withdraw on /my-submissions', () => {
  const withdrawIds = (components: unknown[] | undefined) =>
    (components ?? [])
      .flatMap((row) => (row as { components: { custom_id: string }[] }).components)
      .map((c) => c.custom_id)
      .filter((id) => id.startsWith('queue:withdraw:'));

  it('is offered for each waiting song, withdraws it and redraws the list', async () => {
    const id = await seed(t.users.viewer, { tier: 'skip10', skipAmount: 10 });
    const handle = command('my-submissions');
    const shown = await handle.reply();
    expect(withdrawIds(shown.body.data.components)).toEqual([`queue:withdraw:${id}`]);

    const update = await t.discord
      .button({
        channelId: t.channels.general,
        user: t.users.viewer,
        customId: `queue:withdraw:${id}`,
        message: handle.originalMessage()!,
      })
      .reply();
    expect(update.body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(update.body.data.content).toMatch(new RegExp(`^Withdrew id ${id} .*10 Skip stays as a credit`));
    expect(update.body.data.content).toMatch(
      new RegExp(`id ${id} · \\*\\*Artist – Song \\d+\\*\\* · Removed`),
    );
    expect(update.body.data.allowed_mentions).toEqual({ parse: [] });
    expect(withdrawIds(update.body.data.components)).toEqual([]);
    expect(await tierOf(id)).toBe('removed');
    expect(await credits()).toEqual([{ discord_user_id: t.users.viewer.id, tier: 'skip10' }]);
    expect(await queueChanges.settle()).toEqual([t.guildId]);
  });

  it('withdraws nothing for another member who presses it', async () => {
    const id = await seed(t.users.viewer);
    const handle = command('my-submissions');
    await handle.reply();
    const forged = await t.discord
      .button({
        channelId: t.channels.general,
        user: t.users.other,
        customId: `queue:withdraw:${id}`,
        message: handle.originalMessage()!,
      })
      .reply();
    expect(forged.body.data.content).toBe(`You have no song with id ${id} in this server's queue.`);
    expect(await tierOf(id)).toBe('free');
  });
});
