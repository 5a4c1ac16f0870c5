import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { UserFacingError } from '../../domain/errors.js';
import type { BotContext } from '../../discord/module.js';
import { isReviewer } from '../../discord/preconditions.js';
import { NOT_FOUND, type HttpResponse, type HttpRoute } from '../../http/routes.js';
import { uploadedAudio } from '../../overlay/audio-response.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { playerPage } from '../../overlay/pages/player-page.js';
import { resolvePageToken, slotKey } from '../../overlay/tokens.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import type { PlayerSlot } from '../../storage/overlay-repo.js';
import { removeFromReview, takeNextForReview } from '../../storage/review-repo.js';
import { getSubmission } from '../../storage/submissions-repo.js';
import { tellNextInLine } from '../review/next-in-line-notice.js';
import { uploadsDirOf } from '../submissions/submit-flow.js';

/**
 * A reviewer's player: the page, its event stream, the uploaded audio, and the Next and Remove
 * buttons, which act as that reviewer exactly as /next and the Remove button do (and are audited
 * the same way).
 */
export function playerRoutes(ctx: BotContext, streams: PageEventStreams): HttpRoute[] {
  const db = ctx.database.db;
  /** The token's reviewer, while they may still review: losing the role closes their page too. */
  const reviewerSlot = async (token: string | undefined): Promise<PlayerSlot | null> => {
    const slot = await resolvePageToken(db, token ?? '');
    if (slot?.page !== 'player') return null;
    return (await mayReview(ctx, slot)) ? slot : null;
  };
  /** Buttons change the queue: refused unless the page itself sent them (see sentByPlayerPage). */
  const action =
    (act: (slot: PlayerSlot, body: Buffer) => Promise<HttpResponse>): HttpRoute['handle'] =>
    async ({ params, headers, body }) => {
      if (!sentByPlayerPage(headers)) return { status: 403, body: { error: 'cross-site request refused' } };
      const slot = await reviewerSlot(params.token);
      if (!slot) return NOT_FOUND;
      try {
        return await act(slot, body);
      } catch (error) {
        if (error instanceof UserFacingError) return { status: 409, body: { error: error.message } };
        throw error;
      }
    };

  return [
    {
      method: 'GET',
      path: '/player/:token',
      async handle({ params }) {
        return (await reviewerSlot(params.token)) ? playerPage() : NOT_FOUND;
      },
    },
    {
      method: 'GET',
      path: '/player/:token/events',
      async handle({ params }) {
        const slot = await reviewerSlot(params.token);
        if (!slot) return NOT_FOUND;
        return streams.open({
          guildId: slot.guildId,
          slotKey: slotKey(slot),
          view: { page: 'player' },
          stillAllowed: async () => (await reviewerSlot(params.token)) !== null,
        });
      },
    },
    {
      method: 'GET',
      path: '/player/:token/audio/:id',
      async handle({ params, headers }) {
        const slot = await reviewerSlot(params.token);
        const id = /^\d{1,15}$/.test(params.id ?? '') ? Number(params.id) : null;
        if (!slot || id === null) return NOT_FOUND;
        const song = await getSubmission(db, slot.guildId, id).catch((error: unknown) => {
          if (error instanceof UserFacingError) return null;
          throw error;
        });
        return uploadedAudio(uploadsDirOf(ctx), song?.filePath ?? null, headers.range);
      },
    },
    {
      method: 'POST',
      path: '/player/:token/next',
      handle: action(async (slot) => {
        const song = await takeNextForReview(db, slot.guildId, slot.ownerId);
        if (!song) {
          return {
            status: 409,
            body: { error: 'The queue is empty. Songs in Pending Skips need /confirm-skip first.' },
          };
        }
        await tellNextInLine(ctx, slot.guildId);
        return {
          status: 200,
          body: { id: song.id, message: `Now reviewing ${song.artist} – ${song.title}.` },
        };
      }),
    },
    {
      method: 'POST',
      path: '/player/:token/remove',
      handle: action(async (slot, body) => {
        const id = submissionIdIn(body);
        if (id === null) return { status: 400, body: { error: 'the body must be {"id": <song id>}' } };
        const removed = await removeFromReview(db, slot.guildId, id, slot.ownerId);
        return { status: 200, body: { id, message: `Removed ${removed.artist} – ${removed.title}.` } };
      }),
    },
  ];
}

async function mayReview(ctx: BotContext, slot: PlayerSlot): Promise<boolean> {
  const guild = ctx.client.guilds.cache.get(slot.guildId);
  const member = await guild?.members.fetch(slot.ownerId).catch(() => null);
  if (!member) return false;
  const { reviewerRoleId } = await getGuildConfig(ctx.database.db, slot.guildId);
  return isReviewer(member, reviewerRoleId);
}

/**
 * The token travels in the URL, so a cookie-less CSRF defence is needed all the same: a custom header
 * cannot be sent cross-site without a CORS preflight (which this server never grants), and a browser
 * names the sending origin, which must be this host. Clients that send no Origin are not browsers.
 */
function sentByPlayerPage(headers: IncomingHttpHeaders): boolean {
  if (headers['x-player-request'] !== '1') return false;
  if (headers['sec-fetch-site'] !== undefined && headers['sec-fetch-site'] !== 'same-origin') return false;
  if (headers.origin === undefined) return true;
  try {
    return new URL(headers.origin).host === headers.host;
  } catch {
    return false;
  }
}

const removeBody = z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

function submissionIdIn(body: Buffer): number | null {
  try {
    return removeBody.safeParse(JSON.parse(body.toString('utf8'))).data?.id ?? null;
  } catch {
    return null;
  }
}
