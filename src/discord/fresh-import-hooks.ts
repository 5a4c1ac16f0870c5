/**
 * Node module customization hooks, registered by src/discord/module-code.ts (`module.register`) the
 * first time a feature module's new code is loaded. Node never forgets a module it has imported, so a
 * feature's entry is imported again under a new URL (`index.js?module-code=<hash>`); this hook gives
 * the same query to every relative import that stays inside that feature's folder, so the feature's
 * own files load fresh too. Anything outside the folder (src/domain, src/storage, another feature's
 * files) resolves as before and stays the one copy the rest of the bot uses.
 *
 * Runs on Node's loader thread: it sees only what `initialize` receives.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

/** The query parameter that names a feature's code version (a hash of its files). */
export const CODE_VERSION_PARAM = 'module-code';

export interface FreshImportData {
  /** `file:` URLs of the feature folders, each ending with `/`. */
  folders: string[];
}

let folders: string[] = [];

export const initialize: InitializeHook<FreshImportData> = (data) => {
  folders = data.folders;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (!context.parentURL || !(specifier.startsWith('./') || specifier.startsWith('../'))) return resolved;
  const parent = new URL(context.parentURL);
  const version = parent.searchParams.get(CODE_VERSION_PARAM);
  if (!version) return resolved;
  const folder = folders.find((f) => parent.href.startsWith(f));
  if (!folder || !resolved.url.startsWith(folder)) return resolved;
  const child = new URL(resolved.url);
  child.searchParams.set(CODE_VERSION_PARAM, version);
  return { ...resolved, url: child.href };
};
