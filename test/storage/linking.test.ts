import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/domain/errors.js';
import { LINK_CODE_ALPHABET } from '../../src/domain/link-codes.js';
import { listAudit } from '../../src/storage/audit-repo.js';
import { DEFAULT_GUILD_SETTINGS } from '../../src/domain/guild-settings.js';
import { rowsOf, type Db, type Queryable } from '../../src/storage/connect.js';
import { recordIngestBatch } from '../../src/storage/ingest-repo.js';
import { cancelLinkRequests, createLinkRequest } from '../../src/storage/link-requests-repo.js';
import * as schema from '../../src/storage/schema.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import {
  findAccountByHandle,
  findLinkedAccount,
  linkTikTokAccount,
  searchAccounts,
  unlinkTikTokAccount,
} from '../../src/storage/tiktok-accounts-repo.js';
import { recordChat, type ChatMessage } from '../support/db/chat-batch.js';
import { GUILD, linkTikTok, OTHER_GUILD, REVIEWER, seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

const NOW = new Date('2026-11-24T18:00:00Z');
const minutesLater = (m: number) => new Date(NOW.getTime() + m * 60_000);

/** An account the TikTok ingestion has recorded (seen in a live), not linked to anyone. */
async function seeAccount(db: Queryable, guildId: string, id: string, handle: string, lastSeen = NOW) {
  await db.execute(sql`INSERT INTO tiktok_accounts (guild_id, tiktok_user_id, handle, last_seen_at)
    VALUES (${guildId}, ${id}, ${handle}, ${lastSeen.toISOString()}::timestamptz)`);
}

async function ownerOf(db: Queryable, tiktokUserId: string): Promise<string | null | undefined> {
  const [row] = await rowsOf<{ discord_user_id: string | null }>(
    db,
    sql`SELECT discord_user_id FROM tiktok_accounts WHERE guild_id = ${GUILD} AND tiktok_user_id = ${tiktokUserId}`,
  );
  return row?.discord_user_id;
}

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (e instanceof UserFacingError ? e.code : `unexpected: ${String(e)}`),
  );
}

describe.each(DRIVER_KINDS)('TikTok linking storage on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  const link = (discordUserId: string, tiktokUserId: string, forced = false) =>
    linkTikTokAccount(db(), { guildId: GUILD, discordUserId, tiktokUserId, actorId: discordUserId, forced });

  describe('searchAccounts', () => {
    it('finds handles of this guild by case-insensitive prefix, in byte order of the handle', async () => {
      await seeAccount(db(), GUILD, '1', 'NovaBeats');
      await seeAccount(db(), GUILD, '2', 'nova_fan');
      await seeAccount(db(), GUILD, '3', 'luna');
      await seeAccount(db(), OTHER_GUILD, '4', 'novalite');
      const found = await searchAccounts(db(), GUILD, '@NOVA');
      expect(found.map((a) => a.handle)).toEqual(['nova_fan', 'NovaBeats']);
    });

    it('treats _ and % in the prefix as characters, not wildcards', async () => {
      await seeAccount(db(), GUILD, '1', 'a_b');
      await seeAccount(db(), GUILD, '2', 'axb');
      await seeAccount(db(), GUILD, '3', 'a%c');
      expect((await searchAccounts(db(), GUILD, 'a_')).map((a) => a.handle)).toEqual(['a_b']);
      expect((await searchAccounts(db(), GUILD, 'a%')).map((a) => a.handle)).toEqual(['a%c']);
    });

    it('returns at most the limit', async () => {
      for (let i = 0; i < 30; i++)
        await seeAccount(db(), GUILD, String(i), `fan${String(i).padStart(2, '0')}`);
      expect(await searchAccounts(db(), GUILD, 'fan')).toHaveLength(25);
      expect(await searchAccounts(db(), GUILD, 'fan', 3)).toHaveLength(3);
    });
  });

  describe('findAccountByHandle', () => {
    it('matches case-insensitively and prefers the account seen last when a handle moved', async () => {
      await seeAccount(db(), GUILD, '1', 'nova', minutesLater(-60));
      await seeAccount(db(), GUILD, '2', 'Nova', NOW);
      expect((await findAccountByHandle(db(), GUILD, 'NOVA'))?.tiktokUserId).toBe('2');
      expect(await findAccountByHandle(db(), OTHER_GUILD, 'nova')).toBeNull();
    });
  });

  describe('linkTikTokAccount', () => {
    it('links an unlinked account and audits it', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      const result = await link(userId(1), '7001');
      expect(result).toMatchObject({ replacedHandle: null, previousOwnerId: null });
      expect(await ownerOf(db(), '7001')).toBe(userId(1));
      const [entry] = await listAudit(db(), GUILD);
      expect(entry).toMatchObject({ action: 'link', actorId: userId(1), targetUserId: userId(1) });
      expect(entry?.details).toMatchObject({ tiktokUserId: '7001', handle: 'fan' });
    });

    it('refuses an account linked to someone else and changes nothing', async () => {
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan' });
      expect(await codeOf(link(userId(2), '7001'))).toBe('already_linked');
      expect(await ownerOf(db(), '7001')).toBe(userId(1));
      expect(await listAudit(db(), GUILD)).toEqual([]);
    });

    it('lets an admin force the link, naming the previous holder in the audit', async () => {
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan' });
      await linkTikTokAccount(db(), {
        guildId: GUILD,
        discordUserId: userId(2),
        tiktokUserId: '7001',
        actorId: REVIEWER,
        forced: true,
      });
      expect(await ownerOf(db(), '7001')).toBe(userId(2));
      const [entry] = await listAudit(db(), GUILD);
      expect(entry).toMatchObject({ action: 'force_link', actorId: REVIEWER, targetUserId: userId(2) });
      expect(entry?.details).toMatchObject({ previousOwnerId: userId(1) });
    });

    it('replaces the member’s previous link: one account per member', async () => {
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'old' });
      await seeAccount(db(), GUILD, '7002', 'new');
      expect((await link(userId(1), '7002')).replacedHandle).toBe('old');
      expect(await ownerOf(db(), '7001')).toBeNull();
      expect((await findLinkedAccount(db(), GUILD, userId(1)))?.handle).toBe('new');
    });

    it('is a no-op without an audit entry when the account is already the member’s', async () => {
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan' });
      await link(userId(1), '7001');
      expect(await listAudit(db(), GUILD)).toEqual([]);
    });

    it('refuses an account never seen in this guild', async () => {
      await seeAccount(db(), OTHER_GUILD, '7001', 'fan');
      expect(await codeOf(link(userId(1), '7001'))).toBe('unknown_account');
    });

    it('gives a contested account to exactly one of two members linking at once', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      const results = await Promise.allSettled([link(userId(1), '7001'), link(userId(2), '7001')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const owner = await ownerOf(db(), '7001');
      expect([userId(1), userId(2)]).toContain(owner);
    });
  });

  describe('unlinkTikTokAccount', () => {
    it('unlinks and audits, keeping the balances on the account', async () => {
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', coins: 40 });
      const unlinked = await unlinkTikTokAccount(db(), {
        guildId: GUILD,
        discordUserId: userId(1),
        actorId: userId(1),
      });
      expect(unlinked?.handle).toBe('fan');
      expect(await ownerOf(db(), '7001')).toBeNull();
      const [row] = await rowsOf<{ coins: number }>(db(), sql`SELECT coins FROM tiktok_accounts`);
      expect(row?.coins).toBe(40);
      expect((await listAudit(db(), GUILD))[0]?.action).toBe('unlink');
    });

    it('returns null when nothing was linked', async () => {
      expect(
        await unlinkTikTokAccount(db(), { guildId: GUILD, discordUserId: userId(1), actorId: userId(1) }),
      ).toBeNull();
      expect(await listAudit(db(), GUILD)).toEqual([]);
    });
  });

  describe('link codes typed in the live chat, completed by the ingest batch that records them', () => {
    const request = (discordUserId: string, handle: string, extra: { completesOnSight?: boolean } = {}) =>
      createLinkRequest(db(), { guildId: GUILD, discordUserId, handle, ttlMinutes: 10, now: NOW, ...extra });
    const batch = (messages: ChatMessage[], now = minutesLater(1)) => recordChat(db(), GUILD, messages, now);
    /** One chat message in its own batch: the link it completed, or null. */
    const chat = async (tiktokUserId: string, handle: string, text: string, now = minutesLater(1)) => {
      const { links } = await batch([{ tiktokUserId, handle, text }], now);
      expect(links.length).toBeLessThanOrEqual(1);
      return links[0] ?? null;
    };
    const completedRequests = async () =>
      (
        await rowsOf<{ n: number }>(
          db(),
          sql`SELECT count(*)::int AS n FROM link_requests WHERE completed_at IS NOT NULL`,
        )
      )[0]?.n;

    it('issues a 6-character code without look-alike characters', async () => {
      const { code, expiresAt } = await request(userId(1), 'fan');
      expect(code).toMatch(new RegExp(`^[${LINK_CODE_ALPHABET}]{6}$`));
      expect(code).not.toMatch(/[0O1IL]/);
      expect(expiresAt).toEqual(minutesLater(10));
    });

    it('links the account whose handle was requested when its chat carries the code', async () => {
      await seeAccount(db(), GUILD, '7001', 'Fan');
      const { code } = await request(userId(1), 'fan');
      expect(await chat('7001', 'Fan', `hi! my code is ${code.toLowerCase()}.`)).toEqual({
        discordUserId: userId(1),
        handle: 'Fan',
        giftSkip: null,
      });
      expect(await ownerOf(db(), '7001')).toBe(userId(1));
      const [row] = await rowsOf<{ completed_at: unknown; tiktok_user_id: string }>(
        db(),
        sql`SELECT completed_at, tiktok_user_id FROM link_requests`,
      );
      expect(row?.completed_at).not.toBeNull();
      expect(row?.tiktok_user_id).toBe('7001');
    });

    it('returns the skip the account earned with gifts before the link, applied to the member’s song', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      await db().execute(sql`INSERT INTO gift_skip_claims (guild_id, tiktok_user_id, tier, gift_value)
        VALUES (${GUILD}, '7001', 'skip10', 2000)`);
      const song = await seedSubmission(db(), { submitter: userId(1) });
      const { code } = await request(userId(1), 'fan');
      const linked = await chat('7001', 'fan', code);
      expect(linked?.giftSkip).toMatchObject({
        tier: 'skip10',
        giftValue: 2000,
        discordUserId: userId(1),
        outcome: { kind: 'upgraded', after: { id: song } },
      });
      expect((await getSubmission(db(), GUILD, song)).tier).toBe('skip10');
    });

    it('links an account first seen in the batch that carries its code', async () => {
      const { code } = await request(userId(1), 'fresh');
      expect(await chat('7009', 'fresh', code)).not.toBeNull();
      expect((await findLinkedAccount(db(), GUILD, userId(1)))?.tiktokUserId).toBe('7009');
    });

    it('completes nothing again when the batch is replayed (its messages are already recorded)', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      const { code } = await request(userId(1), 'fan');
      const message = { tiktokUserId: '7001', handle: 'fan', text: code, msgId: '7460000000000009001' };
      expect((await batch([message])).links).toHaveLength(1);
      await unlinkTikTokAccount(db(), { guildId: GUILD, discordUserId: userId(1), actorId: userId(1) });
      const replay = await batch([message]);
      expect(replay.recorded).toEqual([]);
      expect(replay.links).toEqual([]);
      expect(await ownerOf(db(), '7001')).toBeNull();
    });

    it('completes every request a batch answers, each once, and ignores the rest of the chat', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      await seeAccount(db(), GUILD, '7002', 'other');
      const first = await request(userId(1), 'fan');
      const second = await request(userId(2), 'other');
      const { links } = await batch([
        { tiktokUserId: '7003', handle: 'chatter', text: 'hello' },
        { tiktokUserId: '7001', handle: 'fan', text: `code ${first.code}` },
        { tiktokUserId: '7001', handle: 'fan', text: `again ${first.code}` },
        { tiktokUserId: '7002', handle: 'other', text: second.code },
      ]);
      expect(links.map((l) => l.discordUserId)).toEqual([userId(1), userId(2)]);
      expect(await ownerOf(db(), '7001')).toBe(userId(1));
      expect(await ownerOf(db(), '7002')).toBe(userId(2));
      expect(await completedRequests()).toBe(2);
    });

    it('a request left open (account held by someone else) does not stop the batch or its other links', async () => {
      await linkTikTok(db(), GUILD, userId(3), { id: '7001', handle: 'fan' });
      await seeAccount(db(), GUILD, '7002', 'other');
      const held = await request(userId(1), 'fan');
      const free = await request(userId(2), 'other');
      const result = await batch([
        { tiktokUserId: '7001', handle: 'fan', text: held.code },
        { tiktokUserId: '7002', handle: 'other', text: free.code },
      ]);
      expect(result.recorded).toHaveLength(2);
      expect(result.links.map((l) => l.discordUserId)).toEqual([userId(2)]);
      expect(await ownerOf(db(), '7001')).toBe(userId(3));
      expect(await completedRequests()).toBe(1);
    });

    it('ignores the code typed by a different account', async () => {
      await seeAccount(db(), GUILD, '7002', 'impostor');
      const { code } = await request(userId(1), 'fan');
      expect(await chat('7002', 'impostor', code)).toBeNull();
      expect(await ownerOf(db(), '7002')).toBeNull();
    });

    it('never completes an expired code', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      const { code } = await request(userId(1), 'fan');
      expect(await chat('7001', 'fan', code, minutesLater(10))).toBeNull();
      expect(await ownerOf(db(), '7001')).toBeNull();
    });

    it('completes a code once', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      const { code } = await request(userId(1), 'fan');
      expect(await chat('7001', 'fan', code)).not.toBeNull();
      await unlinkTikTokAccount(db(), { guildId: GUILD, discordUserId: userId(1), actorId: userId(1) });
      expect(await chat('7001', 'fan', code)).toBeNull();
      expect(await ownerOf(db(), '7001')).toBeNull();
    });

    it('replaces the member’s open request: the older code stops working', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      const first = await request(userId(1), 'fan');
      const second = await request(userId(1), 'fan');
      expect(await chat('7001', 'fan', first.code)).toBeNull();
      expect(await chat('7001', 'fan', second.code)).not.toBeNull();
    });

    it('drops open requests on cancel', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      const { code } = await request(userId(1), 'fan');
      await cancelLinkRequests(db(), GUILD, userId(1));
      expect(await chat('7001', 'fan', code)).toBeNull();
    });

    it('ignores chat without a code', async () => {
      await seeAccount(db(), GUILD, '7001', 'fan');
      await request(userId(1), 'fan');
      expect(await chat('7001', 'fan', 'love this song')).toBeNull();
      expect(await ownerOf(db(), '7001')).toBeNull();
    });

    it('leaves the request open when the account belongs to someone else meanwhile', async () => {
      await linkTikTok(db(), GUILD, userId(2), { id: '7001', handle: 'fan' });
      const { code } = await request(userId(1), 'fan');
      const result = await batch([{ tiktokUserId: '7001', handle: 'fan', text: code }]);
      expect(result.recorded).toHaveLength(1);
      expect(result.links).toEqual([]);
      expect(await ownerOf(db(), '7001')).toBe(userId(2));
      const [row] = await rowsOf<{ completed_at: unknown }>(
        db(),
        sql`SELECT completed_at FROM link_requests`,
      );
      expect(row?.completed_at).toBeNull();
    });

    it('completes an on-sight request at the account’s first chat message, without a code', async () => {
      await request(userId(1), 'newcomer', { completesOnSight: true });
      expect(await chat('7005', 'NewComer', 'hello everyone')).toEqual({
        discordUserId: userId(1),
        handle: 'NewComer',
        giftSkip: null,
      });
      expect(await ownerOf(db(), '7005')).toBe(userId(1));
    });

    describe('statements a batch costs', () => {
      /** The same database through a drizzle instance that logs every statement it sends. */
      function loggedDb(): { db: Db; statements: string[] } {
        const statements: string[] = [];
        const logger = { logQuery: (query: string) => void statements.push(query) };
        const { $client } = database.db as unknown as { $client: pg.Pool & PGlite };
        const logged =
          kind === 'postgres'
            ? drizzlePg({ client: $client as pg.Pool, schema, logger })
            : drizzlePglite({ client: $client as PGlite, schema, logger });
        return { db: logged as unknown as Db, statements };
      }
      const linkQueries = (statements: string[]) => statements.filter((s) => /link_requests/.test(s));
      const chatters = (count: number): ChatMessage[] =>
        Array.from({ length: count }, (_, i) => ({
          tiktokUserId: String(7100 + i),
          handle: `viewer.${i}`,
          // Words shaped like codes too: none was issued to these handles.
          text: `song ${i} is ABC234`,
        }));

      it('500 chat messages with no open request for their handles cost one link query and as many statements as one message', async () => {
        await request(userId(1), 'someone.else');
        const one = loggedDb();
        expect((await recordChat(one.db, GUILD, chatters(1), minutesLater(1))).links).toEqual([]);
        const many = loggedDb();
        const result = await recordChat(many.db, GUILD, chatters(500), minutesLater(1));
        expect(result.recorded).toHaveLength(500);
        expect(result.links).toEqual([]);
        expect(linkQueries(many.statements)).toHaveLength(1);
        expect(many.statements).toHaveLength(one.statements.length);
      });

      it('a batch without chat messages sends no link query', async () => {
        await request(userId(1), 'viewer.0');
        const { db: logged, statements } = loggedDb();
        await recordIngestBatch(logged, {
          guildId: GUILD,
          sessionId: null,
          interactions: [],
          accounts: [],
          streaks: [],
          settings: DEFAULT_GUILD_SETTINGS,
          now: minutesLater(1),
        });
        expect(statements.length).toBeGreaterThan(0);
        expect(linkQueries(statements)).toEqual([]);
      });
    });
  });
});
