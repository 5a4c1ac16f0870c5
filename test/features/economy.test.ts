import { MessageFlags } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { getBalances } from '../../src/storage/balances-repo.js';
import { updateGuildSettings } from '../../src/storage/guild-config-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import {
  installUnhandledRejectionGuard,
  type InteractionHandle,
  type OptionValue,
} from '../support/discord/index.js';
import { linkTikTok, seedSubmission, setDiscordPoints } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { MODULES_WITHOUT_JOBS, recordQueueChanges } from '../support/queue-changes.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database, { modules: MODULES_WITHOUT_JOBS });

function command(
  name: string,
  options: Record<string, OptionValue> = {},
  user = t.users.viewer,
  extra: { subcommandGroup?: string; subcommand?: string } = {},
) {
  return t.discord.slashCommand({ channelId: t.channels.general, user, name, options, ...extra });
}

function adminBalance(
  group: 'coins' | 'points',
  sub: 'give' | 'take',
  options: Record<string, OptionValue>,
  user = t.users.admin,
) {
  return command('admin', options, user, { subcommandGroup: group, subcommand: sub });
}

async function answer(handle: InteractionHandle) {
  const { body } = await handle.reply();
  return {
    content: String(body.data.content ?? ''),
    ephemeral: (Number(body.data.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
    allowedMentions: body.data.allowed_mentions,
    embeds: body.data.embeds ?? [],
  };
}

const balances = (userId: string) => getBalances(database.db, t.guildId, userId);

describe('/coins', () => {
  it('shows the member their Luxury Coins and points, Discord and linked TikTok added up', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 10, 300);
    await linkTikTok(database.db, t.guildId, t.users.viewer.id, {
      id: '7001',
      handle: 'fan_1',
      points: 7,
      coins: 900,
    });
    const reply = await answer(command('coins'));
    expect(reply.ephemeral).toBe(true);
    expect(reply.allowedMentions).toEqual({ parse: [] });
    expect(reply.content).toContain('You have **1,200 Luxury Coins** and **17 engagement points**');
    expect(reply.content).toContain('Discord: 300 Luxury Coins, 10 engagement points');
    expect(reply.content).toContain('TikTok @fan\\_1: 900 Luxury Coins, 7 engagement points');
  });

  it('shows another member’s balance without pinging them, and suggests linking only to oneself', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.other.id, 3, 1);
    const reply = await answer(command('coins', { user: t.users.other.id }));
    expect(reply.content).toContain(
      `<@${t.users.other.id}> has **1 Luxury Coin** and **3 engagement points**`,
    );
    expect(reply.content).not.toContain('/link');
    expect(reply.allowedMentions).toEqual({ parse: [] });
    expect((await answer(command('coins'))).content).toContain('/link tiktok');
  });
});

describe('/buy-skip', () => {
  it('spends the guild’s price and moves the member’s song into the guild’s skip tier', async () => {
    await updateGuildSettings(database.db, t.guildId, (s) => ({
      ...s,
      buySkip: { price: 500, tier: 'skip15' },
    }));
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 0, 200);
    await linkTikTok(database.db, t.guildId, t.users.viewer.id, { id: '7001', handle: 'fan', coins: 400 });
    const id = await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
    const changes = recordQueueChanges(database, t.bot.ctx.queueEvents);
    await changes.settle();

    const reply = await answer(command('buy-skip'));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(
      /Bought a 15 Skip for 500 Luxury Coins: .* moved up\. You have 100 Luxury Coins left\./,
    );
    expect((await getSubmission(database.db, t.guildId, id))?.tier).toBe('skip15');
    expect((await balances(t.users.viewer.id)).totalCoins).toBe(100);
    expect(await changes.settle()).toEqual([t.guildId]);
  });

  it('refuses without enough coins and changes nothing', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 0, 999);
    const id = await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
    const reply = await answer(command('buy-skip'));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe('You have 999 Luxury Coins; a skip costs 1,000 Luxury Coins.');
    expect((await getSubmission(database.db, t.guildId, id))?.tier).toBe('free');
    expect((await balances(t.users.viewer.id)).totalCoins).toBe(999);
  });

  it('refuses without a waiting song, says how to get one, and keeps the coins', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 0, 5000);
    const reply = await answer(command('buy-skip'));
    expect(reply.content).toMatch(/need a song waiting .*\/submit/);
    expect((await balances(t.users.viewer.id)).totalCoins).toBe(5000);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it('refuses to buy on top of a skip, says which songs it moves, and keeps the coins', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 0, 5000);
    const id = await seedSubmission(database.db, {
      guildId: t.guildId,
      submitter: t.users.viewer.id,
      tier: 'skip5',
      skipAmount: 5,
    });
    const reply = await answer(command('buy-skip'));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(
      'Your song is already in 5 Skip; a bought 10 Skip moves only a song waiting in Free or Pending Skips. Nothing was spent.',
    );
    expect((await getSubmission(database.db, t.guildId, id))?.tier).toBe('skip5');
    expect((await balances(t.users.viewer.id)).totalCoins).toBe(5000);
  });
});

describe('/leaderboard', () => {
  beforeEach(async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 50, 1);
    await setDiscordPoints(database.db, t.guildId, t.users.other.id, 20, 900);
    await linkTikTok(database.db, t.guildId, t.users.other.id, { id: '7001', handle: 'fan', points: 40 });
  });

  it('ranks by engagement points in an embed that pings nobody', async () => {
    const reply = await answer(command('leaderboard'));
    expect(reply.ephemeral).toBe(false);
    expect(reply.allowedMentions).toEqual({ parse: [] });
    expect(reply.content).toBe('');
    expect(reply.embeds[0]?.title).toBe('Top engagement points');
    expect(reply.embeds[0]?.description).toBe(
      `**1.** <@${t.users.other.id}> · 60 engagement points\n**2.** <@${t.users.viewer.id}> · 50 engagement points`,
    );
  });

  it('ranks by Luxury Coins when asked', async () => {
    const reply = await answer(command('leaderboard', { by: 'coins' }));
    expect(reply.embeds[0]?.description?.split('\n')).toEqual([
      `**1.** <@${t.users.other.id}> · 900 Luxury Coins`,
      `**2.** <@${t.users.viewer.id}> · 1 Luxury Coin`,
    ]);
  });
});

describe('/admin coins and /admin points', () => {
  it('gives coins with the reason in the audit log', async () => {
    const reply = await answer(
      adminBalance('coins', 'give', { user: t.users.viewer.id, amount: 250, reason: 'raffle' }),
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(
      `Gave 250 Luxury Coins to <@${t.users.viewer.id}> (raffle). Their Discord balance is now 250 Luxury Coins.`,
    );
    expect((await balances(t.users.viewer.id)).discordCoins).toBe(250);
    const [entry] = await listAudit(database.db, t.guildId);
    expect(entry).toMatchObject({
      action: 'coins_give',
      actorId: t.users.admin.id,
      targetUserId: t.users.viewer.id,
      reason: 'raffle',
    });
  });

  it('takes points', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 40, 0);
    const reply = await answer(adminBalance('points', 'take', { user: t.users.viewer.id, amount: 15 }));
    expect(reply.content).toMatch(/Took 15 engagement points from .* now 25 engagement points/);
    expect((await balances(t.users.viewer.id)).discordPoints).toBe(25);
    expect((await listAudit(database.db, t.guildId))[0]?.action).toBe('points_take');
  });

  it('refuses to take more than the member has and changes nothing', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 0, 30);
    const reply = await answer(adminBalance('coins', 'take', { user: t.users.viewer.id, amount: 31 }));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe('They have only 30 Luxury Coins; nothing changed.');
    expect((await balances(t.users.viewer.id)).discordCoins).toBe(30);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it.each([0, -5, 1_000_000_001])('refuses the amount %d and changes nothing', async (amount) => {
    const reply = await answer(adminBalance('coins', 'give', { user: t.users.viewer.id, amount }));
    expect(reply.content).toMatch(/whole number from 1 to 1,000,000,000/);
    expect((await balances(t.users.viewer.id)).discordCoins).toBe(0);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it('is refused to a member without Manage Server, changing nothing', async () => {
    const reply = await answer(
      adminBalance('coins', 'give', { user: t.users.viewer.id, amount: 100 }, t.users.viewer),
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/Manage Server/);
    expect((await balances(t.users.viewer.id)).discordCoins).toBe(0);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it('shows a reason as plain text without pinging', async () => {
    const reply = await answer(
      adminBalance('points', 'give', { user: t.users.viewer.id, amount: 1, reason: '@everyone **won**' }),
    );
    expect(reply.content).toContain('(@\u200beveryone \\*\\*won\\*\\*)');
    expect(reply.allowedMentions).toEqual({ parse: [] });
  });
});
