/**
 * PostgreSQL text and jsonb hold neither NUL nor a lone UTF-16 surrogate, and refuse the whole
 * statement when one arrives. TikTok names and chat, or a relay's JSON, can carry either; stored
 * as is, one such message would fail its ingest batch on every retry and hold back all later ones.
 * So NUL is dropped and a lone surrogate becomes U+FFFD, as a UTF-8 decoder would show it.
 */
const UNSTORABLE = /\0|\p{Cs}/u;

export function storableText(value: string): string {
  if (!UNSTORABLE.test(value)) return value;
  return value.replace(/\0/g, '').replace(/\p{Cs}/gu, '\uFFFD');
}

/** How JSON.stringify writes a NUL or a lone surrogate (a false hit only costs the slow path). */
const ESCAPED_UNSTORABLE = /\\u0000|\\ud[89a-f]/i;

/** JSON text that jsonb accepts: the strings in `value` made storable. */
export function storableJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!ESCAPED_UNSTORABLE.test(json)) return json;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? storableText(v) : v));
}
