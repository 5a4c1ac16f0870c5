import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's X-Timestamp may be from our clock: a captured request expires after this. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/**
 * The signed material: timestamp, guild and raw body. Signing the timestamp stops replays once it
 * expires; signing the guild stops a captured request from being replayed into another server
 * (a replay within the window into the same server is harmless: messages are deduplicated by id).
 */
function signedMaterial(timestamp: string, guildId: string, body: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.${guildId}.`), Buffer.from(body)]);
}

/** `sha256=<hex>`, the X-Signature header value. */
export function signWebhook(
  secret: string,
  timestamp: string,
  guildId: string,
  body: Buffer | string,
): string {
  const mac = createHmac('sha256', secret)
    .update(signedMaterial(timestamp, guildId, body))
    .digest('hex');
  return `sha256=${mac}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyWebhook(input: {
  secret: string;
  guildId: string;
  body: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  now: number;
}): SignatureCheck {
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp)) {
    return { ok: false, reason: 'X-Timestamp must be the send time in Unix seconds' };
  }
  if (Math.abs(input.now - Number(input.timestamp) * 1000) > WEBHOOK_TOLERANCE_MS) {
    return { ok: false, reason: 'X-Timestamp is more than 5 minutes away from the server clock' };
  }
  const given = /^sha256=([0-9a-f]{64})$/i.exec(input.signature ?? '')?.[1];
  if (!given) return { ok: false, reason: 'X-Signature must be sha256=<hex HMAC-SHA256>' };
  const expected = signWebhook(input.secret, input.timestamp, input.guildId, input.body).slice(
    'sha256='.length,
  );
  const matches = timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), Buffer.from(expected, 'hex'));
  return matches ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
