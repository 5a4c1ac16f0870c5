import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { chat, startLocalWebcast } from '../support/tiktok/local-webcast.js';

const script = fileURLToPath(new URL('../support/tiktok/live-then-stop.ts', import.meta.url));

test('a process whose source was stopped exits by itself (no timer or socket left behind)', async () => {
  const webcast = await startLocalWebcast();
  try {
    webcast.setInitialBatch([chat({ userId: '6812345678901234567', handle: 'alice.sings', text: 'hello' })]);
    // Without a clean exit, execFile's timeout kills the child and the promise rejects.
    const child = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, webcast.host, webcast.handle],
      {
        timeout: 20_000,
      },
    );
    while (webcast.connectedClients === 0) await sleep(10);
    webcast.dropConnections();

    const { stdout } = await child;

    expect(stdout.trim()).toBe(
      'state:connecting event:comment state:live state:reconnecting ' +
        'state:connecting event:comment state:live state:stopped',
    );
  } finally {
    await webcast.close();
  }
});
