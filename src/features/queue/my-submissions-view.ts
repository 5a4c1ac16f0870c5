import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  StringSelectMenuBuilder,
  type MessageActionRowComponentBuilder,
} from 'discord.js';
import { formatScore } from '../../domain/ratings.js';
import { isOpenTier, TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext } from '../../discord/module.js';
import { userText } from '../../discord/replies.js';
import { currentRatings } from '../../storage/review-history-repo.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { listUserSubmissions, userPositions } from '../../storage/submissions-repo.js';
import { PORTAL_IDS } from '../submissions/portal.js';

const RECENT = 10;
/** Discord allows five buttons in a row; more waiting songs are withdrawn with /withdraw id. */
const WITHDRAW_BUTTONS = 5;

/** Custom id of a Withdraw button on /my-submissions: `queue:withdraw:<submission id>`. */
export const WITHDRAW_ID = 'queue:withdraw';

export interface MySubmissionsView {
  content: string;
  components: ActionRowBuilder<MessageActionRowComponentBuilder>[];
}

/**
 * A member's recent songs with their place in line, a Withdraw button for each waiting one, and a
 * "submit again" menu for played ones. Null when they never submitted.
 */
export async function mySubmissionsView(
  ctx: BotContext,
  guildId: string,
  userId: string,
): Promise<MySubmissionsView | null> {
  const db = ctx.database.db;
  const recent = await listUserSubmissions(db, guildId, userId, RECENT);
  if (recent.length === 0) return null;
  const places = new Map((await userPositions(db, guildId, userId)).map((p) => [p.id, p.position]));
  const ratings = await currentRatings(
    db,
    guildId,
    recent.filter((s) => s.tier === 'played').map((s) => s.id),
  );
  const lines = recent.map((s) =>
    describeSubmission(s, places.get(s.id) ?? null, ratings.get(s.id)?.scoreTenths ?? null),
  );
  const components: ActionRowBuilder<MessageActionRowComponentBuilder>[] = [];
  const played = recent.filter((s) => s.tier === 'played');
  // The submissions module's "submit again" menu: its id carries the owner, whom alone it serves.
  if (played.length) {
    components.push(
      new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
        new StringSelectMenuBuilder()
          .setCustomId(`${PORTAL_IDS.resubmit}:${userId}`)
          .setPlaceholder('Submit a played song again')
          .addOptions(
            played.map((s) => ({
              label: `${s.artist} – ${s.title}`.slice(0, 100),
              value: String(s.id),
              description: `id ${s.id}, played ${s.playedAt?.toISOString().slice(0, 10) ?? ''}`,
            })),
          ),
      ),
    );
  }
  const waiting = recent.filter((s) => isOpenTier(s.tier)).slice(0, WITHDRAW_BUTTONS);
  if (waiting.length) {
    components.push(
      new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
        waiting.map((s) =>
          new ButtonBuilder()
            .setCustomId(`${WITHDRAW_ID}:${s.id}`)
            .setLabel(`Withdraw id ${s.id}`)
            .setStyle(ButtonStyle.Danger),
        ),
      ),
    );
  }
  return { content: `**Your recent songs**\n${lines.join('\n')}`, components };
}

/** A played song shows its score when it was rated; one never rated just says played. */
function describeSubmission(
  s: SubmissionRecord,
  position: number | null,
  scoreTenths: number | null,
): string {
  const song = `**${userText(s.artist, 60)} – ${userText(s.title, 60)}**`;
  const state =
    s.tier === 'played'
      ? `played ${s.playedAt?.toISOString().slice(0, 10) ?? ''}${scoreTenths === null ? '' : ` · rated ${formatScore(scoreTenths)}/10`}`
      : position !== null
        ? `${TIER_LABELS[s.tier]}, #${position} in line`
        : TIER_LABELS[s.tier];
  return `id ${s.id} · ${song} · ${state}`;
}
