import { parseTikTokEvent } from '../tiktok/event-schema.js';
import type { TikTokEvent } from '../tiktok/events.js';
import type { HttpRoute } from './routes.js';
import { verifyWebhook } from './webhook-signature.js';

export const TIKTOK_WEBHOOK_PATH = '/webhooks/tiktok';
/** A relay batches a second or two of a busy LIVE; far below this. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/**
 * What the relay is told: events received, interactions newly recorded (a replay records none), and
 * whether a stream end among them ended the LIVE's session (and posted its summary). A stream end is
 * no interaction, so it never counts in `recorded`.
 */
export type RelayOutcome = { received: number; recorded: number; ended: boolean };

/** Where accepted events go: resolves once they are committed, or says the guild is unknown. */
export type RelayedEventsSink = (
  guildId: string,
  events: TikTokEvent[],
) => Promise<({ ok: true } & RelayOutcome) | { ok: false; reason: 'unknown_guild' }>;

/**
 * `POST /webhooks/tiktok?guild=<id>`: our normalized TikTok events as JSON (one, or an array), from a
 * relay that holds the shared secret. Refusals record nothing: the whole request is checked (size,
 * signature, every event) before any event is handed on.
 */
export function tiktokWebhookRoute(options: {
  secret: string;
  sink: RelayedEventsSink;
  now?: () => number;
}): HttpRoute {
  const now = options.now ?? Date.now;
  return {
    method: 'POST',
    path: TIKTOK_WEBHOOK_PATH,
    maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
    async handle({ url, headers, body }) {
      const guildId = url.searchParams.get('guild') ?? '';
      if (!/^\d{17,20}$/.test(guildId)) {
        return { status: 400, body: { error: 'the guild query parameter must be a Discord server id' } };
      }
      const check = verifyWebhook({
        secret: options.secret,
        guildId,
        body,
        signature: header(headers['x-signature']),
        timestamp: header(headers['x-timestamp']),
        now: now(),
      });
      if (!check.ok) return { status: 401, body: { error: check.reason } };

      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return { status: 400, body: { error: 'the body is not valid JSON' } };
      }
      const items = Array.isArray(json) ? json : [json];
      const events: TikTokEvent[] = [];
      const issues: string[] = [];
      items.forEach((item, index) => {
        const parsed = parseTikTokEvent(item);
        if (parsed.ok) events.push(parsed.event);
        else
          issues.push(...parsed.issues.map((issue) => (Array.isArray(json) ? `[${index}] ${issue}` : issue)));
      });
      if (issues.length > 0) return { status: 400, body: { error: 'invalid events', issues } };

      const result = await options.sink(guildId, events);
      if (!result.ok) return { status: 404, body: { error: 'this bot is not in that server' } };
      return {
        status: 200,
        body: { received: result.received, recorded: result.recorded, ended: result.ended },
      };
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
