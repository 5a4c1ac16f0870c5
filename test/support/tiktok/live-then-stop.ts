/**
 * Run as its own process by test/tiktok/stop-exits.test.ts, against a local webcast in the parent
 * process (argv: host, handle): connects, survives the drop the parent causes, stops — and must then
 * exit on its own. A timer, socket or interval left behind by the source or tiktok-live-connector would
 * keep this process alive, since the webcast on the other end stays up.
 */
import { TikTokLiveSource } from '../../../src/tiktok/connection.js';
import { localWebcastConnectionOptions } from './local-webcast.js';
import { SourceRecorder } from './source-recorder.js';

const [host, handle] = process.argv.slice(2);
if (!host || !handle) throw new Error('usage: live-then-stop.ts <host:port> <handle>');

const source = new TikTokLiveSource(handle, {
  ...localWebcastConnectionOptions(host),
  backoff: { minMs: 20, maxMs: 100 },
});
const recorder = new SourceRecorder(source);
source.start();
await recorder.waitFor(
  'live twice',
  () => recorder.states().filter((s) => s.type === 'live').length === 2,
  15_000,
);
await source.stop();
console.log(recorder.timeline().join(' '));
