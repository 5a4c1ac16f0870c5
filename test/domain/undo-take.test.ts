import { describe, expect, it } from 'vitest';
import { decideTakeUndo, type TakeRecord } from '../../src/domain/undo-take.js';
import { catchUserError } from './catch-user-error.js';

const takenAt = new Date('2026-12-06T18:00:00.000Z');
const take: TakeRecord = {
  submissionId: 7,
  takenAt,
  servedFrom: 'skip10',
  servedScore: 120,
  discordPoints: 40,
  tiktokUserId: '555',
  tiktokPoints: 80,
  undoneAt: null,
};
const played = { tier: 'played' as const, playedAt: takenAt };
const after = (ms: number) => new Date(takenAt.getTime() + ms);

describe('undoing a take', () => {
  it('puts back the tier, the score and the points recorded at the take', () => {
    expect(decideTakeUndo(take, played, after(60_000), 2)).toEqual({
      tier: 'skip10',
      score: 120,
      discordPoints: 40,
      tiktok: { userId: '555', points: 80 },
    });
  });

  it('gives no TikTok points back to a submitter who had no linked account', () => {
    expect(decideTakeUndo({ ...take, tiktokUserId: null }, played, after(0), 2).tiktok).toBeNull();
  });

  it('is allowed up to the end of the window and refused after it, pointing at /restore', () => {
    expect(() => decideTakeUndo(take, played, after(120_000), 2)).not.toThrow();
    const late = catchUserError(() => decideTakeUndo(take, played, after(120_001), 2));
    expect(late.message).toBe(
      'A review can only be undone within 2 minutes of taking the song. /restore id 7 still puts it back in Free.',
    );
  });

  it('is refused at once when the server turned undo off (0 minutes)', () => {
    expect(catchUserError(() => decideTakeUndo(take, played, after(1), 0)).message).toMatch(/turned off/);
  });

  it('is refused once the song has left Songs Played or was taken again', () => {
    expect(
      catchUserError(() => decideTakeUndo(take, { tier: 'removed', playedAt: null }, after(0), 2)).message,
    ).toBe("Song id 7 has changed since it was taken (it is in Removed), so its review can't be undone.");
    expect(
      catchUserError(() => decideTakeUndo(take, { tier: 'played', playedAt: after(5) }, after(10), 2))
        .message,
    ).toMatch(/has changed since it was taken/);
  });

  it('is refused a second time', () => {
    const undone = { ...take, undoneAt: after(10) };
    expect(catchUserError(() => decideTakeUndo(undone, played, after(20), 2)).message).toBe(
      'The review of song id 7 was already undone.',
    );
  });
});
