import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { adjustDiscordBalance } from '../../storage/balances-repo.js';
import { checkAdjustment, engagementPoints, luxuryCoins, MAX_ADJUSTMENT } from './amounts.js';

type Balance = 'coins' | 'points';
type Direction = 'give' | 'take';

const GROUPS: Record<Balance, { name: string; description: string }> = {
  coins: { name: 'coins', description: 'Give or take Luxury Coins' },
  points: { name: 'points', description: 'Give or take engagement points' },
};

const amountText = (balance: Balance, n: number) =>
  balance === 'coins' ? luxuryCoins(n) : engagementPoints(n);

/**
 * `/admin coins|points give|take user amount [reason]`: changes the member's Discord balance (a
 * linked TikTok balance is never touched), audited with the admin and the reason.
 */
function balanceSubcommand(balance: Balance, direction: Direction): AdminSubcommand {
  const what = balance === 'coins' ? 'Luxury Coins' : 'engagement points';
  return {
    group: GROUPS[balance],
    name: direction,
    description: direction === 'give' ? `Give ${what} to a member` : `Take ${what} from a member`,
    options: (b) =>
      b
        .addUserOption((o) => o.setName('user').setDescription('The member').setRequired(true))
        .addIntegerOption((o) =>
          o
            .setName('amount')
            .setDescription(`How many ${what}`)
            .setRequired(true)
            .setMinValue(1)
            .setMaxValue(MAX_ADJUSTMENT),
        )
        .addStringOption((o) =>
          o.setName('reason').setDescription('Why (kept in the audit log)').setMaxLength(200),
        ),
    async execute(interaction, ctx) {
      const target = interaction.options.getUser('user', true);
      const amount = checkAdjustment(interaction.options.getInteger('amount', true));
      const reason = interaction.options.getString('reason')?.trim() || undefined;
      const after = await adjustDiscordBalance(
        ctx.database.db,
        interaction.guildId,
        target.id,
        balance,
        direction === 'give' ? amount : -amount,
        { actorId: interaction.user.id, reason },
      );
      const verb =
        direction === 'give'
          ? `Gave ${amountText(balance, amount)} to`
          : `Took ${amountText(balance, amount)} from`;
      const why = reason ? ` (${userText(reason, 200)})` : '';
      await replyPrivately(
        interaction,
        `${verb} <@${target.id}>${why}. Their Discord balance is now ${amountText(balance, after)}.`,
      );
    },
  };
}

export const balanceAdminSubcommands: AdminSubcommand[] = [
  balanceSubcommand('coins', 'give'),
  balanceSubcommand('coins', 'take'),
  balanceSubcommand('points', 'give'),
  balanceSubcommand('points', 'take'),
];
