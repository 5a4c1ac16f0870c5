import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { z } from 'zod';
import { UserFacingError } from '../../domain/errors.js';
import type { BotContext } from '../../discord/module.js';
import { NOT_FOUND, type HttpRequest, type HttpResponse, type HttpRoute } from '../../http/routes.js';
import { uploadedAudio } from '../../overlay/audio-response.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { studioPage } from '../../overlay/pages/studio-page.js';
import {
  studioLinkSpentPage,
  studioSignedOutPage,
  studioSignInPage,
} from '../../overlay/pages/studio-sign-in-pages.js';
import { endSession, redeemSignIn } from '../../storage/studio-sessions-repo.js';
import { getSubmission } from '../../storage/submissions-repo.js';
import { uploadsDirOf } from '../submissions/submit-flow.js';
import {
  clearedSessionCookie,
  digestOfPresented,
  issueSecret,
  mayReview,
  sentFromThisSite,
  SESSION_TTL_MS,
  sessionCookie,
  sessionDigestIn,
  studioSession,
  type StudioSession,
} from './studio-auth.js';
import { runStudioAction, studioActionSchema } from './studio-actions.js';

export interface StudioLimits {
  /** Sign-in attempts one address may make per minute (a guessed link never works; this keeps it cheap). */
  signInsPerMinute: number;
  /** Actions one session may send per minute: a reviewer clicks, a script would flood. */
  actionsPerMinute: number;
}

export const DEFAULT_STUDIO_LIMITS: StudioLimits = { signInsPerMinute: 10, actionsPerMinute: 60 };

/** Studio streams are keyed by session, so signing one out closes exactly its pages. */
export const studioStreamKey = (sessionSha256: string) => `studio:${sessionSha256}`;

export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpResponse => ({
  status,
  body,
  headers: { 'cache-control': 'no-store', ...headers },
});

export const tooMany = (limited: RateLimiterRes, what: string): HttpResponse =>
  json(
    429,
    { error: `Too many ${what} in a minute; wait a moment and try again.` },
    { 'retry-after': String(Math.max(1, Math.ceil(limited.msBeforeNext / 1000))) },
  );

/** Null when `key` may go on; else the limiter's answer, for tooMany. */
export async function limited(limiter: RateLimiterMemory, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}

/** The refusal of a change that did not come from a studio page of this site; null when it did. */
function crossSiteRefusal(ctx: BotContext, request: HttpRequest): HttpResponse | null {
  const fromPage =
    request.headers['x-studio-request'] === '1' && sentFromThisSite(request.headers, ctx.config.publicUrl);
  return fromPage ? null : json(403, { error: 'Cross-site request refused.' });
}

/** A state-changing request from a studio page, with its session; or the answer refusing it. */
export async function fromStudioPage(
  ctx: BotContext,
  request: HttpRequest,
): Promise<StudioSession | HttpResponse> {
  const refused = crossSiteRefusal(ctx, request);
  if (refused) return refused;
  const session = await studioSession(ctx, request.headers);
  if (!session) return json(401, { error: 'You are signed out. Use /studio in Discord to sign in again.' });
  return session;
}

/**
 * A studio page's JSON request: the body checked against `schema` (400, saying `unknown`, when it is
 * not JSON or not in it), then `run`, whose refusal (a UserFacingError) answers 409 with its words.
 */
export async function answerJson<T>(
  body: Buffer,
  schema: z.ZodType<T>,
  unknown: string,
  run: (input: T) => Promise<string>,
): Promise<HttpResponse> {
  let parsed: z.ZodSafeParseResult<T>;
  try {
    parsed = schema.safeParse(JSON.parse(body.toString('utf8')));
  } catch {
    return json(400, { error: 'The request body must be JSON.' });
  }
  if (!parsed.success) return json(400, { error: unknown });
  try {
    return json(200, { message: await run(parsed.data) });
  } catch (error) {
    if (error instanceof UserFacingError) return json(409, { error: error.message });
    throw error;
  }
}

/**
 * The studio's routes. Each request finds its session from the cookie and checks the member's role
 * again; a request that changes anything must also come from this site (see sentFromThisSite) and,
 * for actions, carry `X-Studio-Request`, which another site cannot send without a CORS preflight
 * this server never grants.
 */
export function studioRoutes(
  ctx: BotContext,
  streams: PageEventStreams,
  limits: StudioLimits = DEFAULT_STUDIO_LIMITS,
): HttpRoute[] {
  const db = ctx.database.db;
  const publicUrl = ctx.config.publicUrl;
  const signIns = new RateLimiterMemory({ points: limits.signInsPerMinute, duration: 60 });
  const actions = new RateLimiterMemory({ points: limits.actionsPerMinute, duration: 60 });

  return [
    {
      method: 'GET',
      path: '/studio/sign-in/:token',
      async handle() {
        return studioSignInPage();
      },
    },
    {
      method: 'POST',
      path: '/studio/sign-in/:token',
      async handle({ params, headers, remoteAddress }) {
        if (!sentFromThisSite(headers, publicUrl)) return json(403, { error: 'Cross-site request refused.' });
        const over = await limited(signIns, remoteAddress);
        if (over) return tooMany(over, 'sign-in attempts');
        const signIn = digestOfPresented(params.token);
        if (!signIn) return studioLinkSpentPage();
        const session = issueSecret();
        const member = await redeemSignIn(db, signIn, session.sha256, SESSION_TTL_MS);
        if (!member) return studioLinkSpentPage();
        if (!(await mayReview(ctx, member.guildId, member.memberId))) {
          await endSession(db, session.sha256);
          return studioLinkSpentPage();
        }
        ctx.logger.info({ guildId: member.guildId, member: member.memberId }, 'studio sign-in');
        return {
          status: 303,
          body: '',
          headers: {
            location: '/studio',
            'set-cookie': sessionCookie(session.token, publicUrl),
            'cache-control': 'no-store',
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/studio',
      async handle({ headers }) {
        return (await studioSession(ctx, headers)) ? studioPage() : studioSignedOutPage();
      },
    },
    {
      method: 'GET',
      path: '/studio/events',
      async handle({ headers }) {
        const session = await studioSession(ctx, headers);
        if (!session) return json(401, { error: 'signed out' });
        return streams.open({
          guildId: session.guildId,
          slotKey: studioStreamKey(session.sessionSha256),
          view: { page: 'studio' },
          stillAllowed: async () => (await studioSession(ctx, headers)) !== null,
        });
      },
    },
    {
      method: 'GET',
      path: '/studio/audio/:id',
      async handle({ params, headers }) {
        const session = await studioSession(ctx, headers);
        const id = /^\d{1,15}$/.test(params.id ?? '') ? Number(params.id) : null;
        if (!session || id === null) return NOT_FOUND;
        const song = await getSubmission(db, session.guildId, id).catch((error: unknown) => {
          if (error instanceof UserFacingError) return null;
          throw error;
        });
        return uploadedAudio(uploadsDirOf(ctx), song?.filePath ?? null, headers.range);
      },
    },
    {
      method: 'POST',
      path: '/studio/action',
      async handle(request) {
        const session = await fromStudioPage(ctx, request);
        if (!('sessionSha256' in session)) return session;
        const over = await limited(actions, session.sessionSha256);
        if (over) return tooMany(over, 'actions');
        return answerJson(
          request.body,
          studioActionSchema,
          'That is not an action the studio knows.',
          (action) =>
            runStudioAction(
              ctx,
              { guildId: session.guildId, userId: session.memberId, channelId: session.channelId },
              action,
            ),
        );
      },
    },
    {
      method: 'POST',
      path: '/studio/sign-out',
      async handle(request) {
        const refused = crossSiteRefusal(ctx, request);
        if (refused) return refused;
        const sessionSha256 = sessionDigestIn(request.headers);
        if (sessionSha256) {
          await endSession(db, sessionSha256);
          streams.revoke(studioStreamKey(sessionSha256));
        }
        return json(200, { message: 'Signed out.' }, { 'set-cookie': clearedSessionCookie(publicUrl) });
      },
    },
  ];
}
