import { afterEach, describe, expect, it } from 'vitest';
import { EmbedRefreshQueue, type RefreshOutcome } from '../../src/features/embeds/refresh-queue.js';
import { ManualClock } from '../support/manual-clock.js';

// Production timing; the clock only moves when a test moves it.
const DEBOUNCE_MS = 1_500;
const SPACING_MS = 1_000;

// Two channels: the live queue in #general, the reviewer queue and pending skips in #reviewers.
const LIVE = { id: 1, channelId: 'general' };
const REVIEWER = { id: 2, channelId: 'reviewers' };
const SKIPS = { id: 3, channelId: 'reviewers' };

let queue: EmbedRefreshQueue | undefined;
afterEach(async () => {
  await queue?.stop();
  queue = undefined;
});

/** A queue whose refreshes are recorded as [embed id, time started] and end as `outcome` says. */
function refreshQueue(outcome: (id: number) => RefreshOutcome | Promise<RefreshOutcome> = () => 'edited') {
  const clock = new ManualClock();
  const started: [number, number][] = [];
  const errors: unknown[] = [];
  queue = new EmbedRefreshQueue({
    debounceMs: DEBOUNCE_MS,
    editSpacingMs: SPACING_MS,
    embedsOf: async () => [LIVE, REVIEWER, SKIPS],
    refresh: async (id) => {
      started.push([id, clock.now()]);
      return outcome(id);
    },
    onError: (error) => errors.push(error),
    clock,
  });
  return { queue, clock, started, errors };
}

describe('the embed refresh queue', () => {
  it('refreshes the embeds of different channels at the same time', async () => {
    const finish: (() => void)[] = [];
    const { queue, clock, started } = refreshQueue(
      () => new Promise((resolve) => finish.push(() => resolve('edited'))),
    );
    try {
      queue.enqueue([LIVE, REVIEWER]);
      await clock.advance(0);
      // Neither edit has finished, and both are under way.
      expect(started).toEqual([
        [LIVE.id, 0],
        [REVIEWER.id, 0],
      ]);
    } finally {
      for (const done of finish) done();
    }
  });

  it('spaces the edits of two embeds in one channel by the edit spacing', async () => {
    const { queue, clock, started } = refreshQueue();
    queue.enqueue([REVIEWER, SKIPS]);
    await clock.advanceTo(SPACING_MS - 1);
    expect(started).toEqual([[REVIEWER.id, 0]]);
    await clock.advanceTo(SPACING_MS);
    expect(started).toEqual([
      [REVIEWER.id, 0],
      [SKIPS.id, SPACING_MS],
    ]);
  });

  it('edits one embed at most once per edit spacing, however soon it is queued again', async () => {
    const { queue, clock, started } = refreshQueue();
    queue.enqueue([LIVE]);
    await clock.advanceTo(10);
    queue.enqueue([LIVE]);
    await clock.advanceTo(SPACING_MS - 1);
    expect(started).toEqual([[LIVE.id, 0]]);
    await clock.advanceTo(SPACING_MS);
    expect(started).toEqual([
      [LIVE.id, 0],
      [LIVE.id, SPACING_MS],
    ]);
  });

  it('lets the next embed of the channel go at once when a refresh changed nothing', async () => {
    const { queue, clock, started } = refreshQueue((id) => (id === REVIEWER.id ? 'unchanged' : 'edited'));
    queue.enqueue([REVIEWER, SKIPS]);
    await clock.advance(0);
    expect(started).toEqual([
      [REVIEWER.id, 0],
      [SKIPS.id, 0],
    ]);
  });

  it("refreshes a guild's embeds once per window, when the window after the first change closes", async () => {
    const { queue, clock, started } = refreshQueue();
    queue.guildChanged('guild');
    await clock.advanceTo(700);
    queue.guildChanged('guild');
    await clock.advanceTo(DEBOUNCE_MS - 1);
    expect(started).toEqual([]);
    await clock.advanceTo(DEBOUNCE_MS + SPACING_MS);
    expect(started).toEqual([
      [LIVE.id, DEBOUNCE_MS],
      [REVIEWER.id, DEBOUNCE_MS],
      [SKIPS.id, DEBOUNCE_MS + SPACING_MS],
    ]);
  });
});
