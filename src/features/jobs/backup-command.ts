import path from 'node:path';
import { MessageFlags } from 'discord.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import { writeBackup } from '../../storage/backup.js';
import { backupsDirOf } from './backup-job.js';

/** `/admin backup now`: a backup outside the hourly schedule, e.g. before a risky change. */
export const backupNowSubcommand: AdminSubcommand = {
  group: { name: 'backup', description: 'Backups of points, coins and TikTok links' },
  name: 'now',
  description: 'Write a backup now',
  async execute(interaction, ctx) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await writeBackup(ctx.database.db, backupsDirOf(ctx.config));
    await replyPrivately(
      interaction,
      `Backup written: \`${path.basename(result.file)}\` with ${result.userPoints} point balances and ` +
        `${result.tiktokAccounts} TikTok accounts (all servers).`,
    );
  },
};
