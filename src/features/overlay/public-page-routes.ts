import { NOT_FOUND, type HttpRoute } from '../../http/routes.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { publicPage } from '../../overlay/pages/public-page.js';
import { resolvePageToken, slotKey } from '../../overlay/tokens.js';
import type { Queryable } from '../../storage/connect.js';

/**
 * `GET /queue/<token>` and its event stream `GET /queue/<token>/events`. While the page is off the
 * guild has no token, so both answer exactly as an unknown path does.
 */
export function publicPageRoutes(db: Queryable, streams: PageEventStreams): HttpRoute[] {
  const publicSlot = async (token: string | undefined) => {
    const slot = await resolvePageToken(db, token ?? '');
    return slot?.page === 'public' ? slot : null;
  };
  return [
    {
      method: 'GET',
      path: '/queue/:token',
      async handle({ params }) {
        return (await publicSlot(params.token)) ? publicPage() : NOT_FOUND;
      },
    },
    {
      method: 'GET',
      path: '/queue/:token/events',
      async handle({ params }) {
        const slot = await publicSlot(params.token);
        if (!slot) return NOT_FOUND;
        return streams.open({
          guildId: slot.guildId,
          slotKey: slotKey(slot),
          view: { page: 'public' },
          stillAllowed: async () => (await publicSlot(params.token)) !== null,
        });
      },
    },
  ];
}
