import type { ModuleFactory } from '../discord/module.js';
import { submissionsModule } from './submissions/index.js';

/** Every feature module of the bot, by the name `/admin reload` knows it by. */
export const FEATURE_MODULES: ReadonlyMap<string, ModuleFactory> = new Map<string, ModuleFactory>([
  ['submissions', submissionsModule],
]);
