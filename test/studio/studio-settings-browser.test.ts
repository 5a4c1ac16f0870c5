import { expect, it } from 'vitest';
import { getGuildConfig } from '../../src/storage/guild-config-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { screenshot, waitForTexts } from '../overlay/page-support.js';
import { useStudioBrowser } from './studio-support.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);
const { studioIn } = useStudioBrowser(t);

it('an admin opens Settings from the studio, changes a value, reads the answer, and it is stored', async () => {
  const studio = await studioIn(t.users.admin);
  await studio.getByRole('link', { name: 'Settings' }).click();
  await studio.waitForURL((url) => url.pathname === '/studio/settings');
  const price = studio.getByLabel('Price of /buy-skip in Luxury Coins', { exact: true });
  await expect.poll(() => price.inputValue()).toBe('1,000');
  await expect
    .poll(() => studio.getByText('What a member pays in Luxury Coins', { exact: false }).count())
    .toBe(1);

  await price.fill('2,500');
  await studio.getByRole('button', { name: 'Save Price of /buy-skip in Luxury Coins' }).click();
  await waitForTexts(studio, '#status', ['Price of /buy-skip in Luxury Coins is now 2,500 (was 1,000).']);
  expect((await getGuildConfig(database.db, t.guildId)).settings.buySkip.price).toBe(2500);

  await studio.getByLabel('Skip that /buy-skip buys', { exact: true }).selectOption({ label: '20 Skip' });
  await studio.getByRole('button', { name: 'Save Skip that /buy-skip buys' }).click();
  await waitForTexts(studio, '#status', ['Skip that /buy-skip buys is now 20 Skip (was 10 Skip).']);

  await studio.getByLabel('Points for a like', { exact: true }).fill('2000000');
  await studio.getByRole('button', { name: 'Save Points for a like' }).click();
  await waitForTexts(studio, '#status', ['Points for a like must be at most 1,000,000. Nothing changed.']);
  const stored = (await getGuildConfig(database.db, t.guildId)).settings;
  expect([stored.buySkip.tier, stored.points.like]).toEqual(['skip20', 1]);
  await screenshot(studio, 'studio-settings');
});

it('the Settings link shows for an admin only', async () => {
  const admin = await studioIn(t.users.admin);
  await admin.getByRole('link', { name: 'Settings' }).waitFor();
  const studio = await studioIn(t.users.reviewer);
  // Load once more, watching the answer the link waits for.
  const me = studio.waitForResponse((r) => new URL(r.url()).pathname === '/studio/me');
  await studio.reload();
  expect(await (await me).json()).toEqual({ admin: false });
  await studio.locator('#waiting').filter({ hasText: 'waiting' }).waitFor();
  expect(await studio.locator('#settings').isHidden()).toBe(true);
});
