/**
 * Plays a scripted TikTok LIVE into a running bot through its relay webhook, signed with
 * TIKTOK_WEBHOOK_SECRET: viewers join, like and chat, one sends a Rose streak and one a Galaxy, and the
 * stream ends (unless --keep-live). With --code, a viewer types that link code in the chat.
 *
 *   music-review-bot simulate --guild 123456789012345678 [--url http://127.0.0.1:3000]
 *                             [--code ABC234 --handle your.tiktok] [--keep-live] [--fast]
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../config.js';
import { TIKTOK_WEBHOOK_PATH } from '../http/tiktok-webhook.js';
import { signWebhook } from '../http/webhook-signature.js';
import { UsageError } from './run-cli.js';

type Json = Record<string, unknown>;

interface SimulateArgs {
  guildId: string;
  url: string;
  code: string | undefined;
  handle: string;
  keepLive: boolean;
  fast: boolean;
}

function parseSimulateArgs(argv: string[]): SimulateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        guild: { type: 'string' },
        url: { type: 'string', default: 'http://127.0.0.1:3000' },
        code: { type: 'string' },
        handle: { type: 'string', default: 'simulated.linker' },
        'keep-live': { type: 'boolean', default: false },
        fast: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.guild || !/^\d{17,20}$/.test(values.guild))
    throw new UsageError('--guild must be a Discord server id.');
  return {
    guildId: values.guild,
    url: values.url,
    code: values.code,
    handle: values.handle,
    keepLive: values['keep-live'],
    fast: values.fast,
  };
}

// Ids unique per run, so a second run is a new live rather than a replay of the first.
const runId = BigInt(Date.now()) * 1000n + BigInt(randomInt(1000));
let sequence = 0n;
const nextId = () => String(7_000_000_000_000_000_000n + runId * 100n + ++sequence);

const viewer = (n: number, handle: string) => ({
  userId: String(6_900_000_000_000_000_000n + BigInt(n)),
  handle,
  nickname: handle.replace(/[._]/g, ' '),
});
const luna = viewer(1, 'luna.beats');
const max = viewer(2, 'mixtape_max');
const kora = viewer(3, 'dj.kora');
const owl = viewer(4, 'nightowl');
const viewers = [luna, max, kora, owl];

function event(kind: string, fields: Json): Json {
  return { kind, msgId: nextId(), at: new Date().toISOString(), ...fields };
}

function script(args: SimulateArgs): Json[][] {
  const linker = { userId: '6900000000000000099', handle: args.handle, nickname: args.handle };
  const rose = { giftId: 5655, giftName: 'Rose', diamondCount: 1, streakable: true, groupId: String(runId) };
  const steps: Json[][] = [
    viewers.map((user) => event('join', { user })),
    [event('viewers', { total: 128, topViewers: [luna, max] })],
    [event('like', { user: luna, count: 15, total: 15 }), event('like', { user: owl, count: 40, total: 55 })],
    [event('comment', { user: max, text: 'play my song next 🙏' })],
    [1, 5, 12].map((repeatCount) => event('gift', { user: kora, ...rose, repeatCount, repeatEnd: false })),
    [event('gift', { user: kora, ...rose, repeatCount: 12, repeatEnd: true })],
    [
      event('gift', {
        user: max,
        giftId: 11046,
        giftName: 'Galaxy',
        diamondCount: 1000,
        repeatCount: 1,
        repeatEnd: false,
        streakable: false,
        groupId: '0',
      }),
    ],
    [event('share', { user: owl }), event('follow', { user: luna })],
  ];
  if (args.code)
    steps.push([event('join', { user: linker }), event('comment', { user: linker, text: args.code })]);
  if (!args.keepLive) steps.push([event('streamEnd', { action: 3 })]);
  return steps;
}

async function send(url: string, secret: string, guildId: string, events: Json[]): Promise<string> {
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${url}${TIKTOK_WEBHOOK_PATH}?guild=${guildId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-signature': signWebhook(secret, timestamp, guildId, body),
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`webhook answered ${response.status}: ${text}`);
  return text;
}

/** `music-review-bot simulate`: sends each step of the script, signed, and prints the bot's answer. */
export async function run(argv: string[]): Promise<void> {
  const args = parseSimulateArgs(argv);
  loadDotEnv();
  const config = loadConfig();
  if (!config.tiktokWebhookSecret)
    throw new UsageError('TIKTOK_WEBHOOK_SECRET is not set: set the same secret here and in the bot.');
  for (const events of script(args)) {
    const kinds = events.map((e) => e.kind).join(', ');
    console.log(`${kinds} → ${await send(args.url, config.tiktokWebhookSecret, args.guildId, events)}`);
    if (!args.fast) await sleep(700);
  }
}
