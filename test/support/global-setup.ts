import type { TestProject } from 'vitest/node';
import { chooseChromium } from './chromium-choice.js';
import { choosePostgresServer } from './db/postgres-server.js';
import { choosePostgresTools } from './db/postgres-tools.js';
import { isForced } from './forcing-switch.js';
import './provided-context.js';

/**
 * Chooses, once per run, the PostgreSQL server, the binaries of throw-away clusters and the Chromium
 * the tests use (the machine's own when it has them, else those from npm), says which, and hands
 * them to the workers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const forceEmbedded = isForced('MRB_TEST_POSTGRES', 'embedded');
  const chromium = await chooseChromium();
  const tools = await choosePostgresTools(forceEmbedded);
  // Last, so that nothing after it can fail and leave an embedded server running.
  const server = await choosePostgresServer(forceEmbedded, tools.runAs);
  console.log(
    [
      `PostgreSQL for tests: ${server.description}`,
      `PostgreSQL binaries for throw-away clusters: ${tools.bin}`,
      `Chromium for tests: ${chromium.description}`,
    ].join('\n'),
  );
  project.provide('postgresUrl', server.url);
  project.provide('postgresTools', tools);
  project.provide('chromium', chromium.launch);
  return () => server.stop();
}
