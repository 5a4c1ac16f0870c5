import type { BotModule } from '../../discord/module.js';
import { nextButton, nextCommand } from './next-command.js';
import { historyCommand, historyPageButtons, topCommand } from './history-command.js';
import { rateCommand, ratingButtons } from './rate-command.js';
import { moveCommand, removeCommand, restoreCommand, reviewPostButtons } from './queue-moderation.js';
import { confirmSkipCommand, rejectSkipCommand, skipCommand, skipRequestButtons } from './skip-requests.js';
import { undoNextButton, undoNextCommand } from './undo-next.js';

/**
 * Reviewers run the queue: /next (and its undo), /rate, moves, removals, restores and paid-skip
 * decisions; viewers ask for skips; everyone reads the reviews (/history, /top).
 */
export function reviewModule(): BotModule {
  return {
    name: 'review',
    commands: [
      nextCommand,
      undoNextCommand,
      removeCommand,
      restoreCommand,
      moveCommand,
      skipCommand,
      confirmSkipCommand,
      rejectSkipCommand,
      rateCommand,
      historyCommand,
      topCommand,
    ],
    components: [
      nextButton,
      undoNextButton,
      ...reviewPostButtons,
      ...skipRequestButtons,
      ...ratingButtons,
      historyPageButtons,
    ],
  };
}
