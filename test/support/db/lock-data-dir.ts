// Child process for the lock race test: on "go" takes the data-directory lock, on "release" lets go.
import readline from 'node:readline';
import { acquireDataDirLock } from '../../../src/storage/pglite-lock.js';

const dir = process.argv[2] ?? '';
let release: (() => void) | null = null;
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'go') {
    try {
      release = acquireDataDirLock(dir);
      process.stdout.write('locked\n');
    } catch (error) {
      process.stdout.write(`refused: ${(error as Error).message}\n`);
    }
  } else if (line === 'release') {
    release?.();
    release = null;
    process.stdout.write('released\n');
  }
});
lines.on('close', () => release?.());
process.stdout.write('ready\n');
