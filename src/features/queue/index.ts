import type { BotModule } from '../../discord/module.js';
import { mySubmissionsCommand } from './my-submissions-command.js';
import { notifyCommand } from './notify-command.js';
import { positionCommand } from './position-command.js';
import { queueCommand, queuePageButtons } from './queue-command.js';

/** What anyone can see of the queue: the list, their place, their songs, their notifications. */
export function queueModule(): BotModule {
  return {
    name: 'queue',
    commands: [queueCommand, positionCommand, mySubmissionsCommand, notifyCommand],
    components: [queuePageButtons],
  };
}
