import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestBot } from '../support/bot/test-bot.js';
import { commandAnswer, launchChromium, urlIn } from '../overlay/page-support.js';

/** The sign-in link `/studio` gives `user` (a reviewer by default), in the channel it is used in. */
export async function studioLink(t: TestBot, user = t.users.reviewer): Promise<string> {
  const { content, ephemeral } = await commandAnswer(t, { name: 'studio', user });
  expect(ephemeral).toBe(true);
  return urlIn(content);
}

/** A signed-in studio as a browser holds it: its base URL and the session cookie. */
export interface StudioClient {
  base: string;
  cookie: string;
  /** A request to a studio path with the session cookie (and, for POST, what the page sends). */
  request(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** POST /studio/action as the page sends it; the answer's status and JSON. */
  act(body: unknown): Promise<{ status: number; message?: string; error?: string }>;
}

/** Spends a sign-in link as the sign-in page's form does (a same-origin POST) and keeps the cookie. */
export async function signInWith(link: string): Promise<{ response: Response; client: StudioClient | null }> {
  const base = new URL(link).origin;
  const response = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: base } });
  const setCookie = response.headers.get('set-cookie');
  const cookie = setCookie ? (setCookie.split(';')[0] as string) : null;
  if (response.status !== 303 || !cookie) return { response, client: null };
  const request: StudioClient['request'] = (path, init = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie,
        ...(init.method === 'POST'
          ? { origin: base, 'x-studio-request': '1', 'content-type': 'application/json' }
          : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  return {
    response,
    client: {
      base,
      cookie,
      request,
      async act(body) {
        const answer = await request('/studio/action', { method: 'POST', body });
        return { status: answer.status, ...((await answer.json()) as { message?: string; error?: string }) };
      },
    },
  };
}

/** `/studio`, then sign in: the studio of `user` (a reviewer by default). */
export async function signedInStudio(t: TestBot, user = t.users.reviewer): Promise<StudioClient> {
  const { response, client } = await signInWith(await studioLink(t, user));
  expect(response.status, await response.clone().text()).toBe(303);
  return client!;
}

/**
 * Chromium for a file's tests, used beside useTestBot (and called after it): launched once, and every
 * context opened through it closed after each test, before the bot stops (hooks unwind in reverse).
 */
export function useStudioBrowser(t: TestBot): {
  /** A page in a browser context of its own, signed in to nothing. */
  newPage(): Promise<Page>;
  /** A studio in a context of its own, signed in through the link `/studio` gave `user`. */
  studioIn(user?: TestBot['users']['reviewer']): Promise<Page>;
} {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  const newContext = async () => {
    if (!browser) throw new Error('Chromium starts in beforeAll; use it inside hooks and tests');
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    contexts.push(context);
    return context;
  };
  return {
    newPage: async () => (await newContext()).newPage(),
    async studioIn(user = t.users.reviewer) {
      const page = await (await newContext()).newPage();
      await page.goto(await studioLink(t, user));
      await page.getByRole('button', { name: 'Open the studio' }).click();
      await page.waitForURL((url) => url.pathname === '/studio');
      await page.locator('#waiting').filter({ hasText: 'waiting' }).waitFor();
      return page;
    },
  };
}
