import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: more workers only contend for the CPU and the shared PostgreSQL.
    maxWorkers: 2,
    // Each worker keeps its module cache between files: re-importing discord.js and the bot for every
    // file cost ~110 s of a ~260 s run. Test files share no state beyond what they create and close.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
