import { loadMigrations } from '../storage/migrate.js';
import { runWithDatabase } from './run-cli.js';

/** `music-review-bot migrate`: opening the database applies pending migrations; this reports where the schema stands. */
export async function run(): Promise<void> {
  await runWithDatabase(async () => {
    const all = await loadMigrations();
    console.log(
      `Database schema is up to date (${all.length} migrations, latest ${all.at(-1)?.name ?? 'none'}).`,
    );
  });
}
