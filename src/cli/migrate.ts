import { loadMigrations } from '../storage/migrate.js';
import { runWithDatabase } from './run-cli.js';

// openDatabase applies pending migrations; this reports where the schema stands.
await runWithDatabase(async () => {
  const all = await loadMigrations();
  console.log(
    `Database schema is up to date (${all.length} migrations, latest ${all.at(-1)?.name ?? 'none'}).`,
  );
});
