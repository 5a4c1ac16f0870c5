import { Events, Status, type Client, type CloseEvent } from 'discord.js';
import type { Logger } from '../logging/logger.js';

/** What `/healthz` says of the Discord gateway. */
export type GatewayState = 'connected' | 'reconnecting' | 'disconnected';

/**
 * The gateway as it is now. `client.isReady()` latches true after the first login (discord.js issue
 * #11626): a gateway unreachable for minutes still looked ready. Each shard's status follows every
 * close, HELLO, RESUMED and READY, so that is what decides; `isReady()` still tells a client that
 * never logged in or was destroyed.
 */
export function gatewayState(client: Client): GatewayState {
  if (!client.isReady()) return 'disconnected';
  const statuses = [...client.ws.shards.values()].map((shard) => shard.status);
  if (statuses.every((status) => status === Status.Ready)) return 'connected';
  if (statuses.includes(Status.Disconnected)) return 'disconnected';
  return 'reconnecting';
}

/**
 * While the gateway is away, discord.js retries every 500 ms (and reports an error per attempt when
 * the gateway answers 503): one line when it goes, one a while after, one when it is back.
 */
export const STILL_DOWN_REPORT_MS = 30_000;

/** What a fatal close code asks of the operator (these codes end the session for good). */
const FATAL_CLOSE_HINTS: Readonly<Record<number, string>> = {
  4004: 'Discord refused the bot token (DISCORD_BOT_TOKEN): reset it in the developer portal',
  4010: 'invalid shard',
  4011: 'sharding required',
  4012: 'invalid API version',
  4013: 'invalid intents',
  4014: 'disallowed intents: turn on Message Content Intent in the developer portal (Bot tab)',
};

/**
 * Logs the gateway's disconnects, reconnect attempts, errors and resumes, so an outage shows in the
 * logs with its length. Returns the function that stops logging (before the client is destroyed,
 * whose own close would otherwise read as a disconnect).
 */
export function logGatewayConnection(client: Client, logger: Logger, now = Date.now): () => void {
  let outage: {
    since: number;
    attempts: number;
    errors: number;
    lastError?: string;
    reportedAt: number;
  } | null = null;

  const onReconnecting = (shardId: number) => {
    if (!outage) {
      outage = { since: now(), attempts: 1, errors: 0, reportedAt: now() };
      logger.warn({ shardId }, 'Discord gateway connection lost; reconnecting');
      return;
    }
    outage.attempts += 1;
    if (now() - outage.reportedAt >= STILL_DOWN_REPORT_MS) {
      outage.reportedAt = now();
      logger.warn(
        {
          shardId,
          attempts: outage.attempts,
          errors: outage.errors,
          lastError: outage.lastError,
          downForMs: now() - outage.since,
        },
        'Discord gateway still unreachable; reconnecting',
      );
    }
  };
  const onError = (error: Error, shardId: number) => {
    const repeated = outage !== null && outage.errors > 0;
    if (outage) {
      outage.errors += 1;
      outage.lastError = error.message;
    }
    if (repeated) logger.debug({ shardId, err: error.message }, 'Discord gateway error');
    else logger.warn({ shardId, err: error.message }, 'Discord gateway error');
  };
  const back = (how: string, shardId: number, extra: Record<string, unknown> = {}) => {
    if (!outage) return;
    logger.info(
      {
        shardId,
        ...extra,
        attempts: outage.attempts,
        errors: outage.errors,
        downForMs: now() - outage.since,
      },
      how,
    );
    outage = null;
  };
  const onResume = (shardId: number, replayedEvents: number) =>
    back('Discord gateway resumed', shardId, { replayedEvents });
  // A session Discord would not resume (or one lost with the network) starts over with a new READY.
  const onReady = (shardId: number) => back('Discord gateway connected again with a new session', shardId);
  const onDisconnect = (event: CloseEvent, shardId: number) => {
    logger.error(
      { shardId, code: event.code, reason: FATAL_CLOSE_HINTS[event.code] ?? 'unrecoverable close code' },
      'Discord gateway closed for good; the bot receives no more events until it is restarted',
    );
    outage = null;
  };
  // Documented as the session ending for good; discord.js 14.28 no longer emits it (4004 and the other
  // fatal codes arrive as shardDisconnect), so this only speaks if a release brings it back.
  const onInvalidated = () => logger.error('Discord invalidated the session; restart the bot');

  client.on(Events.ShardReconnecting, onReconnecting);
  client.on(Events.ShardError, onError);
  client.on(Events.ShardResume, onResume);
  client.on(Events.ShardReady, onReady);
  client.on(Events.ShardDisconnect, onDisconnect);
  client.on(Events.Invalidated, onInvalidated);
  return () => {
    client.off(Events.ShardReconnecting, onReconnecting);
    client.off(Events.ShardError, onError);
    client.off(Events.ShardResume, onResume);
    client.off(Events.ShardReady, onReady);
    client.off(Events.ShardDisconnect, onDisconnect);
    client.off(Events.Invalidated, onInvalidated);
  };
}
