import http from 'node:http';
import { TIKTOK_WEBHOOK_PATH } from '../../../src/http/tiktok-webhook.js';
import { signWebhook } from '../../../src/http/webhook-signature.js';
import type { RelayedEvent } from './live-script.js';

export type RelayOutcome =
  { kind: 'answered'; status: number; body: string } | { kind: 'failed'; error: string };

/**
 * Posts one signed batch to the bot's webhook, like a relay. Its own connection per request
 * (no keep-alive), so a killed or stopping bot shows as a failed request, never a hang.
 */
export function relayBatch(
  baseUrl: string,
  secret: string,
  guildId: string,
  events: readonly RelayedEvent[],
  timeoutMs = 15_000,
): Promise<RelayOutcome> {
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const url = new URL(`${TIKTOK_WEBHOOK_PATH}?guild=${guildId}`, baseUrl);
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-timestamp': timestamp,
          'x-signature': signWebhook(secret, timestamp, guildId, body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ kind: 'answered', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', (error) => resolve({ kind: 'failed', error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ kind: 'failed', error: error.message }));
    req.end(body);
  });
}

export const accepted = (outcome: RelayOutcome): boolean =>
  outcome.kind === 'answered' && outcome.status === 200;
