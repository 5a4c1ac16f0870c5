import { beforeEach, describe, expect, it } from 'vitest';
import { issuePageToken, resolvePageToken } from '../../src/overlay/tokens.js';
import {
  deletePageToken,
  existingPageToken,
  pageToken,
  type PageSlot,
} from '../../src/storage/overlay-repo.js';
import { GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

const publicSlot: PageSlot = { guildId: GUILD, page: 'public', ownerId: '' };
const overlaySlot: PageSlot = { guildId: GUILD, page: 'overlay', ownerId: '' };

describe.each(DRIVER_KINDS)('page tokens on %s', (kind) => {
  const database = useTestDatabase(kind);
  beforeEach(async () => {
    await database.reset();
  });

  it('a public page has no token until one is drawn, and its token opens the public slot', async () => {
    expect(await existingPageToken(database.db, publicSlot)).toBeNull();
    const token = await pageToken(database.db, publicSlot, issuePageToken());
    expect(await existingPageToken(database.db, publicSlot)).toBe(token);
    expect(await resolvePageToken(database.db, token)).toEqual(publicSlot);
  });

  it('deleting the public token closes its URL and leaves the overlay’s alone', async () => {
    const publicToken = await pageToken(database.db, publicSlot, issuePageToken());
    const overlayToken = await pageToken(database.db, overlaySlot, issuePageToken());
    expect(await deletePageToken(database.db, publicSlot)).toBe(true);
    expect(await resolvePageToken(database.db, publicToken)).toBeNull();
    expect(await existingPageToken(database.db, publicSlot)).toBeNull();
    expect(await resolvePageToken(database.db, overlayToken)).toEqual(overlaySlot);
    expect(await deletePageToken(database.db, publicSlot)).toBe(false);
  });
});
