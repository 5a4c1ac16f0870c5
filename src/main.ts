// The bot's process entry (`node dist/main.js`), the same as `music-review-bot start`.
import { run } from './cli/start.js';

await run();
