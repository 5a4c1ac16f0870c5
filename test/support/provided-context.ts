import type { ChromiumLaunch } from './chromium-choice.js';
import type { PostgresTools } from './db/postgres-tools.js';

// What global setup chose for the run, handed to the test workers (`inject` from 'vitest').
declare module 'vitest' {
  export interface ProvidedContext {
    /** The server test databases are created on; its user may create databases. */
    postgresUrl: string;
    /** The binaries throw-away clusters run. */
    postgresTools: PostgresTools;
    chromium: ChromiumLaunch;
  }
}
