import { MessageFlags, type APIEmbed, type APIUser } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

async function help(user: APIUser) {
  const handle = t.discord.slashCommand({ channelId: t.channels.general, user, name: 'help' });
  const { body } = await handle.reply();
  expect(Number(body.data.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  expect(body.data.allowed_mentions).toEqual({ parse: [] });
  const embeds: APIEmbed[] = body.data.embeds ?? [];
  return {
    content: String(body.data.content),
    sections: embeds.map((e) => e.title),
    text: embeds.map((e) => e.description ?? '').join('\n'),
    embeds,
  };
}

/** The usages listed, e.g. `/admin embed create`. */
const usages = (text: string) => [...text.matchAll(/^`([^`]+)`/gm)].map((m) => m[1]);

describe('/help', () => {
  it('shows a viewer what everyone can do, and nothing for reviewers or admins', async () => {
    const { content, sections, text } = await help(t.users.viewer);
    expect(content).toContain('as a viewer');
    expect(sections).toEqual(['For everyone']);
    expect(usages(text)).toEqual(
      expect.arrayContaining(['/submit', '/queue', '/help', '/about', '/link tiktok']),
    );
    for (const hidden of ['/next', '/remove', '/studio', '/setup', '/admin embed create']) {
      expect(usages(text)).not.toContain(hidden);
    }
  });

  it('adds the reviewer commands for a member with the reviewer role', async () => {
    const { content, sections, text } = await help(t.users.reviewer);
    expect(content).toContain('as a reviewer');
    expect(sections).toEqual(['For everyone', 'For reviewers']);
    expect(usages(text)).toEqual(expect.arrayContaining(['/submit', '/next', '/confirm-skip', '/studio']));
    expect(usages(text)).not.toContain('/setup');
    expect(text).not.toContain('/admin');
  });

  it('gives each command the description Discord shows for it', async () => {
    const { text } = await help(t.users.reviewer);
    const next = t.discord.registeredCommands().find((c) => c.name === 'next')!;
    expect(text).toContain(`\`/next\`: ${next.description}`);
  });

  it('shows an admin every registered command and /admin subcommand', async () => {
    const { content, sections, text } = await help(t.users.admin);
    expect(content).toContain('as an admin');
    expect(sections).toEqual(['For everyone', 'For reviewers', 'For admins (Manage Server)']);
    const listed = usages(text);
    for (const command of t.discord.registeredCommands()) {
      if (command.name === 'admin') continue;
      expect(listed.some((u) => u === `/${command.name}` || u!.startsWith(`/${command.name} `))).toBe(true);
    }
    expect(listed).toEqual(
      expect.arrayContaining(['/setup', '/admin set-reviewer-role', '/admin embed create', '/admin reload']),
    );
  });

  it("fits Discord's embed limits even for an admin, who sees the most", async () => {
    const { embeds } = await help(t.users.admin);
    for (const embed of embeds) expect((embed.description ?? '').length).toBeLessThanOrEqual(4096);
    const total = embeds.reduce((n, e) => n + (e.title ?? '').length + (e.description ?? '').length, 0);
    expect(total).toBeLessThanOrEqual(6000);
  });
});
