import { NOT_FOUND, type HttpRoute } from '../../http/routes.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { upNextCount } from '../../overlay/page-views.js';
import { overlayPage } from '../../overlay/pages/overlay-page.js';
import { resolvePageToken, slotKey } from '../../overlay/tokens.js';
import type { Queryable } from '../../storage/connect.js';

/** `GET /overlay/<token>` and its event stream `GET /overlay/<token>/events?n=5`. */
export function overlayRoutes(db: Queryable, streams: PageEventStreams): HttpRoute[] {
  const overlaySlot = async (token: string | undefined) => {
    const slot = await resolvePageToken(db, token ?? '');
    return slot?.page === 'overlay' ? slot : null;
  };
  return [
    {
      method: 'GET',
      path: '/overlay/:token',
      async handle({ params }) {
        return (await overlaySlot(params.token)) ? overlayPage() : NOT_FOUND;
      },
    },
    {
      method: 'GET',
      path: '/overlay/:token/events',
      async handle({ params, url }) {
        const slot = await overlaySlot(params.token);
        if (!slot) return NOT_FOUND;
        return streams.open({
          guildId: slot.guildId,
          slotKey: slotKey(slot),
          view: { page: 'overlay', upNext: upNextCount(url.searchParams.get('n')) },
          stillAllowed: async () => (await overlaySlot(params.token)) !== null,
        });
      },
    },
  ];
}
