import type { BotContext, ModuleScope } from '../../discord/module.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';

export interface PageStreamTimings {
  /** A comment on every open stream this often, so proxies keep it open and dead clients show. */
  heartbeatMs: number;
  /**
   * How often open pages are checked against what opened them: a token replaced or a session ended
   * in another process, or a reviewer who lost the role, ends the page within this time.
   */
  recheckMs: number;
  /** Every open page is re-rendered this often, whatever was (or was not) announced. */
  safetyNetMs: number;
}

/**
 * What keeps a module's page streams current for as long as the module runs: re-rendered on every
 * queue change (every process's, through the feed) and on a resync, a periodic safety net, heartbeats,
 * and rechecks of each stream's right to stay open. All of it ends with the module.
 */
export function keepStreamsCurrent(
  ctx: BotContext,
  scope: ModuleScope,
  pages: PageEventStreams,
  timings: PageStreamTimings,
): void {
  scope.onStop(() => pages.close());
  scope.onStop(ctx.queueEvents.onChanged((guildId) => pages.refresh(guildId)));
  scope.onStop(ctx.queueEvents.onResync(() => pages.refreshAll()));
  scope.setInterval(() => pages.refreshAll(), timings.safetyNetMs);
  scope.setInterval(() => pages.heartbeat(), timings.heartbeatMs);
  let rechecking = false;
  scope.setInterval(() => {
    if (rechecking) return;
    rechecking = true;
    void pages.recheck().finally(() => (rechecking = false));
  }, timings.recheckMs);
}
