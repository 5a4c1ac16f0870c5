import { beforeEach, describe, expect, it } from 'vitest';
import {
  attachEmbedMessage,
  createEmbedConfig,
  deactivateEmbed,
  getEmbedConfigById,
  listActiveEmbeds,
  swapEmbedContent,
} from '../../src/storage/embed-configs-repo.js';
import { GUILD, OTHER_GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('stored embeds on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  async function posted(guildId = GUILD) {
    const config = await createEmbedConfig(db(), { guildId, channelId: '500', kind: 'live_queue' });
    await attachEmbedMessage(db(), config.id, `6${config.id}`, 'h0');
    return config.id;
  }

  it('lists active embeds with a message, per guild or all', async () => {
    const a = await posted();
    const b = await posted(OTHER_GUILD);
    await createEmbedConfig(db(), { guildId: GUILD, channelId: '500', kind: 'reviewer_queue' });
    const gone = await posted();
    await deactivateEmbed(db(), gone);
    expect((await listActiveEmbeds(db(), GUILD)).map((e) => e.id)).toEqual([a]);
    expect((await listActiveEmbeds(db())).map((e) => e.id)).toEqual([a, b]);
  });

  it('lets one of two processes swapping to the same content win, so one edit is sent', async () => {
    const id = await posted();
    const swaps = await Promise.all([
      swapEmbedContent(db(), id, { expected: 'h0', next: 'h1', page: 0 }),
      swapEmbedContent(db(), id, { expected: 'h0', next: 'h1', page: 0 }),
    ]);
    expect(swaps.sort()).toEqual([false, true]);
    expect((await getEmbedConfigById(db(), id))?.contentHash).toBe('h1');
  });

  it('reports the deactivation to the first caller only', async () => {
    const id = await posted();
    expect(await deactivateEmbed(db(), id)).toBe(true);
    expect(await deactivateEmbed(db(), id)).toBe(false);
    expect(await swapEmbedContent(db(), id, { expected: 'h0', next: 'h1', page: 0 })).toBe(false);
  });
});
