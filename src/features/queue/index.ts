import type { BotModule } from '../../discord/module.js';
import { mySubmissionsCommand } from './my-submissions-command.js';
import { notifyCommand } from './notify-command.js';
import { positionCommand } from './position-command.js';
import { queueCommand, queuePageButtons } from './queue-command.js';
import { withdrawButtonHandler, withdrawCommand } from './withdraw.js';

/** What anyone can see of the queue: the list, their place, their songs (to withdraw), their notifications. */
export function queueModule(): BotModule {
  return {
    name: 'queue',
    commands: [queueCommand, positionCommand, mySubmissionsCommand, withdrawCommand, notifyCommand],
    components: [queuePageButtons, withdrawButtonHandler],
  };
}
