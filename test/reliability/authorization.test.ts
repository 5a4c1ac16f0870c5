import fs from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import {
  ApplicationCommandOptionType,
  ComponentType,
  MessageFlags,
  type APIApplicationCommandOption,
  type APIMessage,
  type APIUser,
} from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import type { Access } from '../../src/discord/module.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { rowsOf } from '../../src/storage/connect.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import {
  installUnhandledRejectionGuard,
  type InteractionHandle,
  type OptionValue,
} from '../support/discord/index.js';
import { seedSubmission, setDiscordPoints } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { MP3_BYTES } from '../support/audio-samples.js';
import { createEmbed } from '../features/support/embed-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

/** The access each module declares, read from the modules themselves so a new command is covered. */
const modules = [...FEATURE_MODULES.values()].map((factory) => factory());
const commandAccess = new Map<string, Access>(
  modules.flatMap((m) => m.commands ?? []).map((c) => [c.data.name, c.access]),
);
const guardedComponents = modules
  .flatMap((m) => m.components ?? [])
  .filter((h) => h.access !== 'everyone')
  .map((h) => ({ prefix: h.prefix, access: h.access as Exclude<Access, 'everyone'> }));
const reviewerComponentPrefixes = guardedComponents
  .filter((c) => c.access === 'reviewer')
  .map((c) => c.prefix);

const REFUSAL: Record<Exclude<Access, 'everyone'>, RegExp> = {
  admin: /^Only members with the Manage Server permission can do that\.$/,
  reviewer: /^Only reviewers can do that\. Ask an admin for the reviewer role\.$/,
};

// What changed.

/** Tables the scheduler writes to on its own, whoever clicks what (its jobs' results are synced first). */
const BOOKKEEPING_TABLES = new Set(['job_slots', 'schema_migrations']);

/** A digest of every row of every table, the files under DATA_DIR, and every message the bot posted. */
async function snapshot() {
  const tables = (
    await rowsOf<{ tablename: string }>(
      database.db,
      sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    )
  )
    .map((r) => r.tablename)
    .filter((name) => !BOOKKEEPING_TABLES.has(name));
  const rows: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await rowsOf<{ digest: string }>(
      database.db,
      sql`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${sql.identifier(table)} t`,
    );
    rows[table] = row?.digest ?? '';
  }
  const files = (await fs.readdir(t.dataDir, { recursive: true }))
    .filter((name) => !String(name).startsWith('backups'))
    .sort();
  const messageWrites = t.discord.calls.filter(
    (c) => c.path.startsWith('/channels/') && c.method !== 'GET' && !c.path.includes('/typing'),
  ).length;
  return { rows, files, messageWrites };
}

// Plausible input for any registered option.

interface CommandCase {
  label: string;
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options: APIApplicationCommandOption[];
}

function plausibleValue(option: APIApplicationCommandOption, submissionId: number): OptionValue | undefined {
  const choices = 'choices' in option ? option.choices : undefined;
  if (choices?.[0]) return choices[0].value;
  switch (option.type) {
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number:
      return option.name === 'id' ? submissionId : (option.min_value ?? 1);
    case ApplicationCommandOptionType.String:
      return (
        { handle: 'fan_1', key: 'buySkip.price', value: '1', session: 'latest' }[option.name] ?? 'because'
      );
    case ApplicationCommandOptionType.Boolean:
      return false;
    case ApplicationCommandOptionType.User:
    case ApplicationCommandOptionType.Mentionable:
      return t.users.other.id;
    case ApplicationCommandOptionType.Channel:
      return t.channels.general;
    case ApplicationCommandOptionType.Role:
      return t.reviewerRoleId;
    case ApplicationCommandOptionType.Attachment:
      return { filename: 'song.mp3', data: MP3_BYTES };
    default:
      return undefined;
  }
}

function plausibleOptions(options: APIApplicationCommandOption[], submissionId: number) {
  return Object.fromEntries(
    options.flatMap((o) => {
      const value = plausibleValue(o, submissionId);
      return value === undefined ? [] : [[o.name, value]];
    }),
  );
}

/** Every leaf of a registered command: the command itself, or each subcommand (inside groups too). */
function leavesOf(command: { name: string; options?: APIApplicationCommandOption[] }): CommandCase[] {
  const options = command.options ?? [];
  const subs = options.filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
  const groups = options.filter((o) => o.type === ApplicationCommandOptionType.SubcommandGroup);
  if (subs.length === 0 && groups.length === 0)
    return [{ label: `/${command.name}`, name: command.name, options }];
  return [
    ...subs.map((s) => ({
      label: `/${command.name} ${s.name}`,
      name: command.name,
      subcommand: s.name,
      options: s.options ?? [],
    })),
    ...groups.flatMap((g) =>
      (g.options ?? []).map((s) => ({
        label: `/${command.name} ${g.name} ${s.name}`,
        name: command.name,
        subcommandGroup: g.name,
        subcommand: s.name,
        options: s.options ?? [],
      })),
    ),
  ];
}

/** Something to act on: songs in each state, balances, a TikTok-less member. */
async function seedWorld(): Promise<{ free: number }> {
  const free = await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.other.id });
  await seedSubmission(database.db, {
    guildId: t.guildId,
    submitter: t.users.admin.id,
    tier: 'pending',
    skipAmount: 10,
  });
  await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.reviewer.id, tier: 'played' });
  await setDiscordPoints(database.db, t.guildId, t.users.other.id, 50, 5_000);
  // As the 30-second score sync would leave it, so that job changes nothing during a test.
  await syncFreeScores(database.db, t.guildId);
  return { free };
}

async function invoke(user: APIUser, leaf: CommandCase, submissionId: number) {
  const handle = t.discord.slashCommand({
    channelId: t.channels.submissions,
    user,
    name: leaf.name,
    ...(leaf.subcommandGroup ? { subcommandGroup: leaf.subcommandGroup } : {}),
    ...(leaf.subcommand ? { subcommand: leaf.subcommand } : {}),
    options: plausibleOptions(leaf.options, submissionId),
  });
  return firstAnswer(handle);
}

async function firstAnswer(handle: InteractionHandle) {
  const { body } = await handle.reply();
  return {
    content: String(body.data.content ?? ''),
    ephemeral: (Number(body.data.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
    allowedMentions: body.data.allowed_mentions,
  };
}

function registeredLeaves(filter: (name: string) => boolean): CommandCase[] {
  return t.discord
    .registeredCommands()
    .filter((c) => filter(c.name))
    .flatMap((c) => leavesOf(c));
}

describe('slash commands refuse members without the access they need', () => {
  it('knows the access of every registered command', () => {
    const registered = t.discord.registeredCommands().map((c) => c.name);
    expect(registered).toContain('admin');
    expect(registered.filter((name) => name !== 'admin' && !commandAccess.has(name))).toEqual([]);
    expect([...commandAccess].filter(([, access]) => access === 'reviewer').map(([name]) => name)).toEqual(
      expect.arrayContaining(['next', 'remove', 'restore', 'move', 'confirm-skip', 'reject-skip']),
    );
  });

  it('refuses every reviewer and admin command to a plain viewer, privately, changing nothing', async () => {
    const { free } = await seedWorld();
    const leaves = registeredLeaves((name) => name === 'admin' || commandAccess.get(name) !== 'everyone');
    expect(leaves.map((l) => l.label)).toEqual(
      expect.arrayContaining(['/next', '/remove', '/admin portal', '/admin reload', '/admin coins give']),
    );
    const before = await snapshot();
    for (const leaf of leaves) {
      const access = leaf.name === 'admin' ? 'admin' : (commandAccess.get(leaf.name) as 'reviewer' | 'admin');
      const reply = await invoke(t.users.viewer, leaf, free);
      expect.soft(reply.ephemeral, `${leaf.label} answers privately`).toBe(true);
      expect.soft(reply.content, `${leaf.label} names the ${access} access`).toMatch(REFUSAL[access]);
      expect.soft(reply.allowedMentions, `${leaf.label} pings nobody`).toEqual({ parse: [] });
      expect.soft(await snapshot(), `${leaf.label} changes nothing`).toEqual(before);
    }
  });

  it('refuses every /admin subcommand to a reviewer without Manage Server', async () => {
    const { free } = await seedWorld();
    const leaves = registeredLeaves((name) => name === 'admin');
    expect(leaves.length).toBeGreaterThan(10);
    const before = await snapshot();
    for (const leaf of leaves) {
      const reply = await invoke(t.users.reviewer, leaf, free);
      expect.soft(reply.ephemeral, `${leaf.label} answers privately`).toBe(true);
      expect.soft(reply.content, `${leaf.label} names Manage Server`).toMatch(REFUSAL.admin);
      expect.soft(await snapshot(), `${leaf.label} changes nothing`).toEqual(before);
    }
  });

  it('refuses /admin with a subcommand that does not exist, as for any other', async () => {
    const reply = await firstAnswer(
      t.discord.slashCommand({
        channelId: t.channels.general,
        user: t.users.viewer,
        name: 'admin',
        subcommand: 'grant-everything',
      }),
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(REFUSAL.admin);
  });

  it('lets a reviewer run reviewer commands (the refusals above are about access, not input)', async () => {
    const { free } = await seedWorld();
    const leaves = registeredLeaves((name) => commandAccess.get(name) === 'reviewer');
    for (const leaf of leaves) {
      const reply = await invoke(t.users.reviewer, leaf, free);
      expect
        .soft(reply.content, `${leaf.label} is not refused for access`)
        .not.toMatch(/Only reviewers|Manage Server/);
    }
  });
});

describe('autocomplete answers only members who may run the command', () => {
  /** Every option that offers suggestions on a command a plain viewer may not run. */
  function guardedAutocompletes() {
    return registeredLeaves((name) => name === 'admin' || commandAccess.get(name) !== 'everyone').flatMap(
      (leaf) =>
        leaf.options
          .filter((o) => 'autocomplete' in o && o.autocomplete === true)
          .map((o) => ({ leaf, focused: o.name })),
    );
  }

  const suggest = (user: APIUser, leaf: CommandCase, focused: string) =>
    t.discord
      .autocomplete({
        channelId: t.channels.general,
        user,
        name: leaf.name,
        ...(leaf.subcommandGroup ? { subcommandGroup: leaf.subcommandGroup } : {}),
        ...(leaf.subcommand ? { subcommand: leaf.subcommand } : {}),
        options: { ...plausibleOptions(leaf.options, 1), [focused]: '' },
        focused,
      })
      .reply();

  it('suggests current setting values to an admin (what the refusals below would reveal)', async () => {
    const [configKey] = guardedAutocompletes().filter((c) => c.leaf.label === '/admin config set');
    expect(configKey?.focused).toBe('key');
    const { body } = await suggest(t.users.admin, configKey!.leaf, 'key');
    expect(body.data.choices?.length).toBeGreaterThan(5);
    expect(body.data.choices?.[0]?.name).toMatch(/\(now .+\)/);
  });

  it.each(['viewer', 'reviewer'] as const)(
    'gives a %s an empty list for every guarded option, changing nothing',
    async (who) => {
      await seedWorld();
      const cases = guardedAutocompletes();
      expect(cases.map((c) => `${c.leaf.label} ${c.focused}`)).toEqual(
        expect.arrayContaining(['/admin config set key', '/admin force-link handle']),
      );
      const before = await snapshot();
      for (const { leaf, focused } of cases) {
        const { body } = await suggest(t.users[who], leaf, focused);
        expect.soft(body.data.choices, `${leaf.label} ${focused} suggests nothing`).toEqual([]);
      }
      expect(await snapshot()).toEqual(before);
    },
  );
});

describe('buttons and menus refuse members without the access they need', () => {
  /**
   * A viewer's song with a skip request posted in the reviewer channel, a Now reviewing post, and the
   * reviewer queue and pending skips embeds with their controls.
   */
  async function reviewerPosts(): Promise<APIMessage[]> {
    await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
    await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.other.id });
    await firstAnswer(
      t.discord.slashCommand({
        channelId: t.channels.general,
        user: t.users.viewer,
        name: 'skip',
        options: { amount: 10 },
      }),
    );
    const next = t.discord.slashCommand({
      channelId: t.channels.reviewers,
      user: t.users.reviewer,
      name: 'next',
    });
    await next.editReply();
    await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.reviewer.id });
    await createEmbed(t, 'reviewer_queue', t.channels.reviewers);
    await createEmbed(t, 'pending_skips', t.channels.reviewers);
    const posts = t.discord.channelMessages(t.channels.reviewers);
    expect(posts.map((p) => p.content)).toEqual([
      expect.stringMatching(/Skip request/),
      expect.stringMatching(/Now reviewing/),
      '',
      '',
    ]);
    return posts;
  }

  /** Each button, and each string select with its first option, on a message. */
  const controlsOf = (message: APIMessage): { customId: string; values?: string[] }[] =>
    (message.components ?? []).flatMap((row) =>
      'components' in row
        ? row.components.flatMap((c) => {
            if (c.type === ComponentType.Button && 'custom_id' in c) return [{ customId: c.custom_id }];
            if (c.type === ComponentType.StringSelect && c.options[0])
              return [{ customId: c.custom_id, values: [c.options[0].value] }];
            return [];
          })
        : [],
    );

  it('refuses every reviewer button on the real posts to a viewer, changing nothing', async () => {
    const posts = await reviewerPosts();
    const shown = structuredClone(posts);
    const clicks = posts.flatMap((message) =>
      controlsOf(message).map((control) => ({ message, ...control })),
    );
    const guardedClicks = clicks.filter((c) => !c.customId.startsWith('embeds:page'));
    // Correct the rating shows only once a song is rated, and the rating form is opened by a button,
    // not shown on a post: both are covered by the forged-button test below.
    const shownLater = new Set(['review:correct', 'review:rate-form']);
    expect(
      [...new Set(guardedClicks.map((c) => c.customId.split(':').slice(0, 2).join(':')))].sort(),
    ).toEqual(reviewerComponentPrefixes.filter((prefix) => !shownLater.has(prefix)).sort());
    const before = await snapshot();
    for (const { message, customId, values } of guardedClicks) {
      const context = { channelId: t.channels.reviewers, user: t.users.viewer, customId, message };
      const reply = await firstAnswer(
        values ? t.discord.selectMenu({ ...context, values }) : t.discord.button(context),
      );
      expect.soft(reply.ephemeral, `${customId} answers privately`).toBe(true);
      expect.soft(reply.content, `${customId} names the reviewer role`).toMatch(REFUSAL.reviewer);
      expect.soft(await snapshot(), `${customId} changes nothing`).toEqual(before);
    }
    expect(t.discord.channelMessages(t.channels.reviewers)).toEqual(shown);
  });

  it.each(guardedComponents)(
    'refuses a forged $prefix button on a viewer’s own message, naming the $access access',
    async ({ prefix, access }) => {
      const { free } = await seedWorld();
      const message = t.discord.message({
        channelId: t.channels.general,
        author: t.users.viewer,
        content: 'look',
      });
      const before = await snapshot();
      const reply = await firstAnswer(
        t.discord.button({
          channelId: t.channels.general,
          user: t.users.viewer,
          customId: `${prefix}:${free}`,
          message,
        }),
      );
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(REFUSAL[access]);
      expect(await snapshot()).toEqual(before);
    },
  );

  describe('a menu that carries its owner', () => {
    /** The other member's "submit again" menu, as /my-submissions showed it to them. */
    async function othersMenu(): Promise<{ message: APIMessage; customId: string; played: number }> {
      const played = await seedSubmission(database.db, {
        guildId: t.guildId,
        submitter: t.users.other.id,
        tier: 'played',
      });
      const handle = t.discord.slashCommand({
        channelId: t.channels.general,
        user: t.users.other,
        name: 'my-submissions',
      });
      const { body } = await handle.reply();
      const menu = (body.data.components?.[0] as { components: { custom_id: string }[] } | undefined)
        ?.components[0];
      const message = handle.originalMessage();
      if (!menu || !message) throw new Error('/my-submissions showed no menu');
      return { message, customId: menu.custom_id, played };
    }

    it('names its owner in its custom id', async () => {
      const { customId } = await othersMenu();
      expect(customId).toBe(`submissions:resubmit:${t.users.other.id}`);
    });

    it('refuses another member who picks from it, changing nothing', async () => {
      const { message, customId, played } = await othersMenu();
      const before = await snapshot();
      const reply = await firstAnswer(
        t.discord.selectMenu({
          channelId: t.channels.general,
          user: t.users.viewer,
          customId,
          message,
          values: [String(played)],
        }),
      );
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(/belongs to someone else/);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a menu forged with the member’s own id but another member’s song', async () => {
      const { message, played } = await othersMenu();
      const before = await snapshot();
      const reply = await firstAnswer(
        t.discord.selectMenu({
          channelId: t.channels.general,
          user: t.users.viewer,
          customId: `submissions:resubmit:${t.users.viewer.id}`,
          message,
          values: [String(played)],
        }),
      );
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(new RegExp(`You have no song #${played}`));
      expect(await snapshot()).toEqual(before);
    });

    it.each(['abc', '-1', '1.5', '99999999999999999999999', ''])(
      'refuses a forged song value %j with a clear answer, changing nothing',
      async (value) => {
        const { message } = await othersMenu();
        const before = await snapshot();
        const reply = await firstAnswer(
          t.discord.selectMenu({
            channelId: t.channels.general,
            user: t.users.viewer,
            customId: `submissions:resubmit:${t.users.viewer.id}`,
            message,
            values: [value],
          }),
        );
        expect(reply.ephemeral).toBe(true);
        expect(reply.content).toMatch(/You have no song/);
        expect(await snapshot()).toEqual(before);
      },
    );
  });
});
