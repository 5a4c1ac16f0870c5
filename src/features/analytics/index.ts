import type { BotModule } from '../../discord/module.js';
import { sessionMetricsSubcommand, sessionsListSubcommand, sessionsPageButtons } from './metrics-commands.js';

/** Stream analytics for admins: `/admin metrics session` and `/admin metrics sessions`. */
export function analyticsModule(): BotModule {
  return {
    name: 'analytics',
    adminSubcommands: [sessionMetricsSubcommand, sessionsListSubcommand],
    components: [sessionsPageButtons],
  };
}
