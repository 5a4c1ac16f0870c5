import type { BotModule } from '../../discord/module.js';
import { balanceAdminSubcommands } from './balance-admin.js';
import { buySkipCommand } from './buy-skip-command.js';
import { coinsCommand } from './coins-command.js';
import { leaderboardCommand } from './leaderboard-command.js';

/** Luxury Coins and engagement points: balances, buying skips, the leaderboard, admin adjustments. */
export function economyModule(): BotModule {
  return {
    name: 'economy',
    commands: [coinsCommand, buySkipCommand, leaderboardCommand],
    adminSubcommands: balanceAdminSubcommands,
  };
}
