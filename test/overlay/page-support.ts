import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MessageFlags } from 'discord-api-types/v10';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { getGuildConfig } from '../../src/storage/guild-config-repo.js';
import { submitSong } from '../../src/storage/submissions-repo.js';
import type { SubmissionRecord } from '../../src/storage/submission-record.js';
import type { TestBot } from '../support/bot/test-bot.js';

/** The Chromium global setup chose: the Debian one when installed, else `@sparticuz/chromium`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch(inject('chromium'));
}

/** The ephemeral answer to a slash command, which the page commands give directly. */
export async function commandAnswer(
  t: TestBot,
  input: { name: string; subcommandGroup?: string; subcommand?: string; user?: TestBot['users']['admin'] },
): Promise<{ content: string; ephemeral: boolean }> {
  const { body } = await t.discord
    .slashCommand({
      channelId: t.channels.general,
      user: input.user ?? t.users.admin,
      name: input.name,
      ...(input.subcommand ? { subcommand: input.subcommand } : {}),
      ...(input.subcommandGroup ? { subcommandGroup: input.subcommandGroup } : {}),
    })
    .reply();
  return {
    content: String(body.data.content ?? ''),
    ephemeral: (Number(body.data.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
  };
}

/** A reviewer's command in the reviewers' channel, through to its final answer (a deferred one's edit included). */
export async function reviewerAnswer(
  t: TestBot,
  name: string,
  options: Record<string, string | number | boolean> = {},
): Promise<string> {
  const handle = t.discord.slashCommand({
    channelId: t.channels.reviewers,
    user: t.users.reviewer,
    name,
    options,
  });
  const first = await handle.reply();
  const body = first.body.type === 5 ? (await handle.editReply()).body : first.body.data;
  return String((body as { content?: string }).content ?? '');
}

/** The page URL in a command's answer (`<http://…>`, angle brackets stop Discord's preview). */
export function urlIn(content: string): string {
  const url = /<(http:\/\/[^>]+)>/.exec(content)?.[1];
  expect(url, content).toBeDefined();
  return url!;
}

export async function overlayUrl(t: TestBot): Promise<string> {
  return urlIn(
    (await commandAnswer(t, { name: 'admin', subcommandGroup: 'overlay', subcommand: 'url' })).content,
  );
}

let submitter = 100_000_000_000_000_000n;
let minute = 0;

/**
 * A link submission from a new viewer (each song its own submitter, so no per-user rule refuses it)
 * or from `submitterId`, submitted a minute after the previous one so Free keeps the order of the
 * calls. Views are told as the bot's commands tell them.
 */
export async function queueSong(
  t: TestBot,
  song: { artist: string; title: string; file?: { storedName: string }; submitterId?: string },
): Promise<SubmissionRecord> {
  const { settings } = await getGuildConfig(t.database.db, t.guildId);
  const { submission } = await submitSong(
    t.database.db,
    {
      guildId: t.guildId,
      submitterId: song.submitterId ?? String(++submitter),
      artist: song.artist,
      title: song.title,
      ...(song.file
        ? { file: { path: song.file.storedName, name: 'song' } }
        : { link: { url: `https://youtu.be/${randomUUID().slice(0, 11)}`, platform: 'youtube' } }),
      source: 'command',
    },
    settings,
    new Date(Date.UTC(2020, 0, 1, 0, ++minute)),
  );
  return submission;
}

/** Stores bytes as the upload flow does (`<uuid>.<ext>` in DATA_DIR/uploads); returns the name. */
export async function storeUpload(t: TestBot, bytes: Buffer, extension: string): Promise<string> {
  const name = `${randomUUID()}.${extension}`;
  const dir = path.join(t.config.dataDir, 'uploads');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, name), bytes);
  return name;
}

/** `seconds` of a 440 Hz tone, 8 kHz mono 16-bit PCM: long enough to be seen playing. */
export function toneWav(seconds: number): Buffer {
  const rate = 8_000;
  const samples = Buffer.alloc(rate * seconds * 2);
  for (let i = 0; i < rate * seconds; i++)
    samples.writeInt16LE(Math.round(8_000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

/**
 * The little of a page's globals that functions run in the browser touch: the test project compiles
 * without the DOM library, and the pages' CSP forbids the string form of waitForFunction (eval).
 */
export interface PageGlobals {
  document: {
    querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
    getElementById(id: string): { currentTime: number } | null;
  };
}

/** Waits (polling the DOM, no fixed sleep) until the elements' texts are exactly `expected`. */
export async function waitForTexts(page: Page, selector: string, expected: string[]): Promise<void> {
  await page
    .waitForFunction(
      ([sel, want]) => {
        const { document } = globalThis as unknown as PageGlobals;
        return JSON.stringify(Array.from(document.querySelectorAll(sel), (e) => e.textContent)) === want;
      },
      [selector, JSON.stringify(expected)] as const,
      { timeout: 10_000 },
    )
    .catch(async (error: unknown) => {
      const actual = await page.locator(selector).allTextContents();
      throw new Error(`${selector} shows ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`, {
        cause: error,
      });
    });
}

/**
 * Saves a full-page screenshot in test-artifacts/. `npm run screenshots` also sets
 * MRB_SCREENSHOTS_DIR (docs/screenshots), where the README's pictures come from.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dirs = [
    'test-artifacts',
    ...(process.env.MRB_SCREENSHOTS_DIR ? [process.env.MRB_SCREENSHOTS_DIR] : []),
  ];
  for (const dir of dirs) {
    await fs.mkdir(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true, omitBackground: true });
  }
}
