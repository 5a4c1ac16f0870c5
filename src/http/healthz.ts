import { sql } from 'drizzle-orm';
import { gatewayState } from '../discord/gateway-connection.js';
import type { BotContext } from '../discord/module.js';
import { healthReportsFor } from './health-reports.js';
import type { HttpRoute } from './routes.js';

export const HEALTHZ_PATH = '/healthz';
/** A database that takes longer than this to answer `SELECT 1` is as good as down for a probe. */
const DATABASE_PROBE_TIMEOUT_MS = 2_000;

/**
 * `GET /healthz` for a container orchestrator or an uptime monitor: 200 while the database answers
 * and the Discord gateway is connected, 503 otherwise (`discord` is then `reconnecting` while
 * discord.js retries, `disconnected` once it has given up or was stopped), with the state of each in
 * the JSON body, followed by what the modules report (the TikTok connections). A TikTok LIVE that is
 * offline or reconnecting is no fault of the bot's, so module reports never turn the answer into a
 * 503.
 */
export function healthzRoute(ctx: Pick<BotContext, 'client' | 'database'>): HttpRoute {
  return {
    method: 'GET',
    path: HEALTHZ_PATH,
    async handle() {
      const database = (await databaseAnswers(ctx)) ? 'up' : 'down';
      const discord = gatewayState(ctx.client);
      const ok = database === 'up' && discord === 'connected';
      return {
        status: ok ? 200 : 503,
        body: { ok, database, discord, ...healthReportsFor(ctx).collect() },
        headers: { 'cache-control': 'no-store' },
      };
    },
  };
}

async function databaseAnswers(ctx: Pick<BotContext, 'database'>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_PROBE_TIMEOUT_MS);
  });
  try {
    const probe = ctx.database.db.execute(sql`SELECT 1`).then(
      () => true,
      () => false,
    );
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
