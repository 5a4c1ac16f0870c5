import { MessageFlags } from 'discord-api-types/v10';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { updateGuildSettings } from '../../src/storage/guild-config-repo.js';
import { findLinkedAccount } from '../../src/storage/tiktok-accounts-repo.js';
import {
  installUnhandledRejectionGuard,
  type InteractionHandle,
  type OptionValue,
} from '../support/discord/index.js';
import { recordChat } from '../support/db/chat-batch.js';
import { linkTikTok, OTHER_GUILD } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
let t: TestBot;

beforeEach(async () => {
  await database.reset();
});
afterEach(() => t.close());

/** An account the TikTok ingestion recorded in a live of `guildId`. */
async function seeAccount(guildId: string, id: string, handle: string, nickname = '') {
  await database.db.execute(sql`INSERT INTO tiktok_accounts (guild_id, tiktok_user_id, handle, nickname)
    VALUES (${guildId}, ${id}, ${handle}, ${nickname})`);
}

function linkTikTokCommand(handle: string, user = t.users.viewer) {
  return t.discord.slashCommand({
    channelId: t.channels.general,
    user,
    name: 'link',
    subcommand: 'tiktok',
    options: { handle },
  });
}

function forceLink(options: Record<string, OptionValue>, user = t.users.admin) {
  return t.discord.slashCommand({
    channelId: t.channels.general,
    user,
    name: 'admin',
    subcommand: 'force-link',
    options,
  });
}

async function answer(handle: InteractionHandle) {
  const { body } = await handle.reply();
  expect(body.data.allowed_mentions).toEqual({ parse: [] });
  return {
    content: String(body.data.content ?? ''),
    ephemeral: (Number(body.data.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
  };
}

const ownerOf = async (handle: string) =>
  (
    await rowsOf<{ discord_user_id: string | null }>(
      database.db,
      sql`SELECT discord_user_id FROM tiktok_accounts WHERE guild_id = ${t.guildId} AND handle = ${handle}`,
    )
  )[0]?.discord_user_id;

const openRequests = () =>
  rowsOf<{ discord_user_id: string; tiktok_handle: string; code: string }>(
    database.db,
    sql`SELECT discord_user_id, tiktok_handle, code FROM link_requests WHERE completed_at IS NULL`,
  );

describe('/link tiktok with chat-code verification (the default)', () => {
  beforeEach(async () => {
    t = await startTestBot({ database });
  });

  it('gives a code to type in the live chat, and the code typed there links the account', async () => {
    await seeAccount(t.guildId, '7001', 'NovaFan');
    const reply = await answer(linkTikTokCommand('@novafan'));
    expect(reply.ephemeral).toBe(true);
    const code = /type \*\*([A-Z2-9]{6})\*\* in the live chat from that account within 10 minutes/.exec(
      reply.content,
    )?.[1];
    expect(code).toBeDefined();
    expect(await ownerOf('NovaFan')).toBeNull();

    const { links } = await recordChat(
      database.db,
      t.guildId,
      [{ tiktokUserId: '7001', handle: 'NovaFan', text: `code ${code}` }],
      new Date(),
    );
    expect(links).toEqual([{ discordUserId: t.users.viewer.id, handle: 'NovaFan', giftSkip: null }]);
    expect(await ownerOf('NovaFan')).toBe(t.users.viewer.id);
  });

  it('says how long the code lives, from the guild’s setting', async () => {
    await updateGuildSettings(database.db, t.guildId, (s) => ({ ...s, linkCodeTtlMinutes: 3 }));
    await seeAccount(t.guildId, '7001', 'fan');
    expect((await answer(linkTikTokCommand('fan'))).content).toMatch(/within 3 minutes/);
  });

  it('refuses a handle never seen in a live here, saying what to do, and stores nothing', async () => {
    await seeAccount(OTHER_GUILD, '7001', 'elsewhere');
    const reply = await answer(linkTikTokCommand('elsewhere'));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/hasn't been seen in a live here yet\. Join the next live/);
    expect(await openRequests()).toEqual([]);
  });

  it('refuses an account linked to another member and changes nothing', async () => {
    await linkTikTok(database.db, t.guildId, t.users.other.id, { id: '7001', handle: 'taken' });
    const reply = await answer(linkTikTokCommand('taken'));
    expect(reply.content).toBe(
      '@taken is already linked to another member. If it is yours, ask an admin to link it.',
    );
    expect(await ownerOf('taken')).toBe(t.users.other.id);
    expect(await openRequests()).toEqual([]);
  });

  it('tells a member the account is already theirs', async () => {
    await linkTikTok(database.db, t.guildId, t.users.viewer.id, { id: '7001', handle: 'mine' });
    expect((await answer(linkTikTokCommand('MINE'))).content).toBe('@mine is already linked to you.');
    expect(await openRequests()).toEqual([]);
  });

  it('refuses text that is not a TikTok username', async () => {
    const reply = await answer(linkTikTokCommand('not a handle!'));
    expect(reply.content).toMatch(/not a TikTok username/);
    expect(await openRequests()).toEqual([]);
  });

  it('autocompletes handles seen in this guild that start with what is typed', async () => {
    await seeAccount(t.guildId, '1', 'nova', 'Nova ✨');
    await seeAccount(t.guildId, '2', 'novabeats');
    await seeAccount(t.guildId, '3', 'luna');
    await seeAccount(OTHER_GUILD, '4', 'novaother');
    const { body } = await t.discord
      .autocomplete({
        channelId: t.channels.general,
        user: t.users.viewer,
        name: 'link',
        subcommand: 'tiktok',
        options: { handle: 'NOV' },
        focused: 'handle',
      })
      .reply();
    expect(body.data.choices).toEqual([
      { name: '@nova (Nova ✨)', value: 'nova' },
      { name: '@novabeats', value: 'novabeats' },
    ]);
  });
});

describe('/link tiktok with ALLOW_ANY_HANDLE_LINKING', () => {
  beforeEach(async () => {
    t = await startTestBot({ database, env: { ALLOW_ANY_HANDLE_LINKING: 'true' } });
  });

  it('links an account seen before at once, audited', async () => {
    await seeAccount(t.guildId, '7001', 'fan');
    const reply = await answer(linkTikTokCommand('fan'));
    expect(reply.content).toBe('Linked @fan. Its Luxury Coins and points now count here.');
    expect(await ownerOf('fan')).toBe(t.users.viewer.id);
    expect((await listAudit(database.db, t.guildId))[0]).toMatchObject({
      action: 'link',
      targetUserId: t.users.viewer.id,
    });
  });

  it('waits for an unseen account to write in a live chat, then links it', async () => {
    const reply = await answer(linkTikTokCommand('@newcomer'));
    expect(reply.content).toMatch(
      /hasn't been seen in a live here yet\. The link completes when it writes in a live chat/,
    );
    expect(await findLinkedAccount(database.db, t.guildId, t.users.viewer.id)).toBeNull();
    const { links } = await recordChat(
      database.db,
      t.guildId,
      [{ tiktokUserId: '7009', handle: 'newcomer', text: 'first time here!' }],
      new Date(),
    );
    expect(links.map((l) => l.discordUserId)).toEqual([t.users.viewer.id]);
    expect((await findLinkedAccount(database.db, t.guildId, t.users.viewer.id))?.tiktokUserId).toBe('7009');
  });

  it('still refuses an account linked to another member', async () => {
    await linkTikTok(database.db, t.guildId, t.users.other.id, { id: '7001', handle: 'taken' });
    expect((await answer(linkTikTokCommand('taken'))).content).toMatch(/already linked to another member/);
    expect(await ownerOf('taken')).toBe(t.users.other.id);
  });
});

describe('/unlink', () => {
  beforeEach(async () => {
    t = await startTestBot({ database });
  });

  it('unlinks the member’s account, audited', async () => {
    await linkTikTok(database.db, t.guildId, t.users.viewer.id, { id: '7001', handle: 'fan' });
    const reply = await answer(
      t.discord.slashCommand({ channelId: t.channels.general, user: t.users.viewer, name: 'unlink' }),
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/^Unlinked @fan\./);
    expect(await ownerOf('fan')).toBeNull();
    expect((await listAudit(database.db, t.guildId))[0]?.action).toBe('unlink');
  });

  it('refuses when nothing is linked, and cancels a pending code', async () => {
    await seeAccount(t.guildId, '7001', 'fan');
    await answer(linkTikTokCommand('fan'));
    expect(await openRequests()).toHaveLength(1);
    const reply = await answer(
      t.discord.slashCommand({ channelId: t.channels.general, user: t.users.viewer, name: 'unlink' }),
    );
    expect(reply.content).toBe('You have no TikTok account linked. Link one with /link tiktok.');
    expect(await openRequests()).toEqual([]);
  });
});

describe('/admin force-link', () => {
  beforeEach(async () => {
    t = await startTestBot({ database });
  });

  /** The DM telling the member an admin linked an account to them. */
  const linkDm = () =>
    t.discord.waitForCall<{ content: string; allowed_mentions: unknown }>(
      (call) =>
        call.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(call.path) &&
        /An admin linked/.test(String((call.body as { content?: string }).content)),
    );

  it('links at once, audited with the admin as actor', async () => {
    await seeAccount(t.guildId, '7001', 'fan');
    const reply = await answer(forceLink({ user: t.users.viewer.id, handle: '@fan' }));
    expect(reply.content).toBe(`Linked @fan to <@${t.users.viewer.id}>.`);
    expect(await ownerOf('fan')).toBe(t.users.viewer.id);
    expect((await listAudit(database.db, t.guildId))[0]).toMatchObject({
      action: 'force_link',
      actorId: t.users.admin.id,
      targetUserId: t.users.viewer.id,
    });
  });

  it('tells the member by DM, without pinging anyone', async () => {
    await seeAccount(t.guildId, '7001', 'fan');
    await answer(forceLink({ user: t.users.viewer.id, handle: '@fan' }));
    const dm = await linkDm();
    expect(dm.body.content).toBe(
      'An admin linked the TikTok account @fan to you: its points and Luxury Coins now count in this server.',
    );
    expect(dm.body.allowed_mentions).toEqual({ parse: [] });
    const [opened] = t.discord.callsTo('POST', /^\/users\/@me\/channels$/);
    expect((opened?.body as { recipient_id?: string } | undefined)?.recipient_id).toBe(t.users.viewer.id);
  });

  it('applies a skip the account earned with gifts before it was linked', async () => {
    await seeAccount(t.guildId, '7001', 'fan');
    await database.db.execute(sql`INSERT INTO gift_skip_claims (guild_id, tiktok_user_id, tier, gift_value)
      VALUES (${t.guildId}, '7001', 'skip10', 2000)`);
    await database.db
      .execute(sql`INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform)
      VALUES (${t.guildId}, ${t.users.viewer.id}, 'A', 'B', 'https://youtu.be/dQw4w9WgXcQ', 'youtube')`);
    const reply = await answer(forceLink({ user: t.users.viewer.id, handle: '@fan' }));
    expect(reply.content).toMatch(/earned a 10 Skip/);
    expect((await linkDm()).body.content).toMatch(
      /Gifts it sent earlier earned a 10 Skip: your waiting song moved up\./,
    );
    const [song] = await rowsOf<{ tier: string }>(database.db, sql`SELECT tier FROM submissions`);
    expect(song?.tier).toBe('skip10');
    const [claim] = await rowsOf<{ claimed_by: string | null }>(
      database.db,
      sql`SELECT claimed_by FROM gift_skip_claims`,
    );
    expect(claim?.claimed_by).toBe(t.users.viewer.id);
  });

  it('moves an account from another member and says so', async () => {
    await linkTikTok(database.db, t.guildId, t.users.other.id, { id: '7001', handle: 'fan' });
    const reply = await answer(forceLink({ user: t.users.viewer.id, handle: 'fan' }));
    expect(reply.content).toContain(`It was linked to <@${t.users.other.id}> before.`);
    expect(await ownerOf('fan')).toBe(t.users.viewer.id);
  });

  it('refuses a handle never seen here', async () => {
    const reply = await answer(forceLink({ user: t.users.viewer.id, handle: 'ghost' }));
    expect(reply.content).toMatch(/hasn't been seen in a live here yet/);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it('is refused to a member without Manage Server, changing nothing', async () => {
    await seeAccount(t.guildId, '7001', 'fan');
    const reply = await answer(forceLink({ user: t.users.viewer.id, handle: 'fan' }, t.users.viewer));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/Manage Server/);
    expect(await ownerOf('fan')).toBeNull();
  });

  it('autocompletes the handle', async () => {
    await seeAccount(t.guildId, '7001', 'fan');
    const { body } = await t.discord
      .autocomplete({
        channelId: t.channels.general,
        user: t.users.admin,
        name: 'admin',
        subcommand: 'force-link',
        options: { user: t.users.viewer.id, handle: 'f' },
        focused: 'handle',
      })
      .reply();
    expect(body.data.choices).toEqual([{ name: '@fan', value: 'fan' }]);
  });
});
