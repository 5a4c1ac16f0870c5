import type { ModuleCodeLocation } from '../discord/module-code.js';
import type { ModuleFactory } from '../discord/module.js';
import { adminModule } from './admin/index.js';
import { analyticsModule } from './analytics/index.js';
import { economyModule } from './economy/index.js';
import { embedsModule } from './embeds/index.js';
import { guideModule } from './guide/index.js';
import { jobsModule } from './jobs/index.js';
import { linkingModule } from './linking/index.js';
import { overlayModule } from './overlay/index.js';
import { queueModule } from './queue/index.js';
import { reviewModule } from './review/index.js';
import { studioModule } from './studio/index.js';
import { submissionsModule } from './submissions/index.js';
import { tiktokModule } from './tiktok/index.js';
import { httpModule } from '../http/index.js';

/** Every feature module of the bot, by the name `/admin reload` knows it by. */
export const FEATURE_MODULES: ReadonlyMap<string, ModuleFactory> = new Map<string, ModuleFactory>([
  ['submissions', submissionsModule],
  ['queue', queueModule],
  ['review', reviewModule],
  ['economy', economyModule],
  ['linking', linkingModule],
  ['admin', adminModule],
  ['analytics', analyticsModule],
  ['embeds', embedsModule],
  ['jobs', jobsModule],
  ['tiktok', () => tiktokModule()],
  ['overlay', () => overlayModule()],
  ['studio', () => studioModule()],
  ['http', httpModule],
  ['guide', guideModule],
]);

const codeOf = (folder: string, exportName: string): ModuleCodeLocation => ({
  entry: new URL(`./${folder}/index.js`, import.meta.url),
  exportName,
});

/**
 * Where each feature's code lives in the build, for `/admin reload` to load changed files. `http` is
 * left out: its folder (src/http) also holds code the other modules share, which must stay one copy.
 */
export const FEATURE_MODULE_CODE: ReadonlyMap<string, ModuleCodeLocation> = new Map([
  ['submissions', codeOf('submissions', 'submissionsModule')],
  ['queue', codeOf('queue', 'queueModule')],
  ['review', codeOf('review', 'reviewModule')],
  ['economy', codeOf('economy', 'economyModule')],
  ['linking', codeOf('linking', 'linkingModule')],
  ['admin', codeOf('admin', 'adminModule')],
  ['analytics', codeOf('analytics', 'analyticsModule')],
  ['embeds', codeOf('embeds', 'embedsModule')],
  ['jobs', codeOf('jobs', 'jobsModule')],
  ['tiktok', codeOf('tiktok', 'tiktokModule')],
  ['overlay', codeOf('overlay', 'overlayModule')],
  ['studio', codeOf('studio', 'studioModule')],
  ['guide', codeOf('guide', 'guideModule')],
]);
