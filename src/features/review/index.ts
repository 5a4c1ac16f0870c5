import type { BotModule } from '../../discord/module.js';
import { nextButton, nextCommand } from './next-command.js';
import { moveCommand, removeCommand, restoreCommand, reviewPostButtons } from './queue-moderation.js';
import { confirmSkipCommand, rejectSkipCommand, skipCommand, skipRequestButtons } from './skip-requests.js';

/** Reviewers run the queue: /next, moves, removals, restores and paid-skip decisions; viewers ask for skips. */
export function reviewModule(): BotModule {
  return {
    name: 'review',
    commands: [
      nextCommand,
      removeCommand,
      restoreCommand,
      moveCommand,
      skipCommand,
      confirmSkipCommand,
      rejectSkipCommand,
    ],
    components: [nextButton, ...reviewPostButtons, ...skipRequestButtons],
  };
}
