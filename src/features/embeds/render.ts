import { createHash } from 'node:crypto';
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIStringSelectComponent,
} from 'discord.js';
import { TIER_LABELS, type Tier } from '../../domain/tiers.js';
import { userText } from '../../discord/replies.js';
import type { EmbedKind } from '../../storage/embed-configs-repo.js';
import { REVIEW_IDS } from '../review/review-ids.js';

/** One queued song as the embeds show it. */
export interface EmbedEntry {
  id: number;
  position: number;
  tier: Tier;
  artist: string;
  title: string;
  submitterId: string;
  skipAmount: number;
  requestedSkipAmount: number | null;
}

/** Everything one page of an embed shows: plain data, loaded by queue-view.ts. */
export interface EmbedView {
  configId: number;
  kind: EmbedKind;
  /** 0-based, already within range. */
  page: number;
  /** Songs in the listed tiers, on all pages. */
  total: number;
  entries: EmbedEntry[];
}

export interface EmbedMessage {
  /** Always empty: an edit that omits content would keep whatever text the message had before. */
  content: '';
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/**
 * Songs per page. Chosen so the worst case fits Discord's limits (description 4,096 characters,
 * 6,000 per message, 5 rows of buttons): user text is capped before escaping, and escaping at most
 * doubles it. Pending skips are bound by their buttons: one row per song, one row for the pages.
 */
export const PAGE_SIZE: Record<EmbedKind, number> = { live_queue: 10, reviewer_queue: 12, pending_skips: 4 };
const ARTIST_MAX = 50;
const TITLE_MAX = 60;

export const PAGE_BUTTON_PREFIX = 'embeds:page';
/** `embeds:remove:<config id>`: the reviewer queue's select menu; the song id is the chosen value. */
export const REMOVE_SELECT_PREFIX = 'embeds:remove';
/** Discord's caps on a select option's label and description. */
const OPTION_TEXT_MAX = 100;

export function pageCount(kind: EmbedKind, total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE[kind]));
}

export function clampPage(kind: EmbedKind, total: number, page: number): number {
  return Math.min(Math.max(0, page), pageCount(kind, total) - 1);
}

const TITLES: Record<EmbedKind, string> = {
  live_queue: 'Live queue',
  reviewer_queue: 'Reviewer queue',
  pending_skips: 'Pending skips',
};
const EMPTY: Record<EmbedKind, string> = {
  live_queue: 'The queue is empty. Submit a song!',
  reviewer_queue: 'No songs are waiting.',
  pending_skips: 'No skips are waiting for confirmation.',
};
const COLOUR = 0x5865f2;

const song = (e: EmbedEntry) => `${userText(e.artist, ARTIST_MAX)} – ${userText(e.title, TITLE_MAX)}`;

/** The message of an embed page. Deterministic (no clock): equal data renders equal JSON. */
export function renderEmbedMessage(view: EmbedView): EmbedMessage {
  const pages = pageCount(view.kind, view.total);
  const footer = `Page ${view.page + 1}/${pages} · ${view.total} ${view.total === 1 ? 'song' : 'songs'}`;
  const embed: APIEmbed = { title: TITLES[view.kind], color: COLOUR, footer: { text: footer } };
  const components: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  if (view.entries.length === 0) {
    embed.description = EMPTY[view.kind];
  } else if (view.kind === 'pending_skips') {
    embed.fields = view.entries.map((e) => ({
      name: `#${e.id} · asks for a ${(e.requestedSkipAmount ?? e.skipAmount).toLocaleString('en-US')} skip`,
      value: `${song(e)} · <@${e.submitterId}>`,
    }));
    for (const e of view.entries) components.push(row(skipDecisionButtons(e.id)));
  } else {
    embed.description = describeByTier(view);
  }
  const paging = pages > 1 ? pageButtons(view.configId, view.page, pages) : [];
  if (view.kind === 'reviewer_queue') {
    if (view.entries.length > 0) components.push(row([removeSelect(view)]));
    components.push(row([nextSongButton(view.total === 0), ...paging]));
  } else if (paging.length > 0) {
    components.push(row(paging));
  }
  return { content: '', embeds: [embed], components };
}

/** Entries grouped under their tier's heading, in queue order. */
function describeByTier(view: EmbedView): string {
  const lines: string[] = [];
  let tier: Tier | undefined;
  for (const e of view.entries) {
    if (e.tier !== tier) {
      tier = e.tier;
      lines.push(`**${TIER_LABELS[tier]}**`);
    }
    const skip = e.tier === 'skip25' ? ` · ${e.skipAmount.toLocaleString('en-US')} skip` : '';
    const id = view.kind === 'reviewer_queue' ? `\`#${e.id}\` ` : '';
    lines.push(`${id}\`${e.position}.\` ${song(e)}${skip} · <@${e.submitterId}>`);
  }
  return lines.join('\n');
}

function row<C extends APIComponentInMessageActionRow>(components: C[]): APIActionRowComponent<C> {
  return { type: ComponentType.ActionRow, components };
}

/** Handled by the review module; custom ids carry the submission id so they outlive restarts. */
function skipDecisionButtons(id: number): APIButtonComponent[] {
  return [
    {
      type: ComponentType.Button,
      style: ButtonStyle.Success,
      custom_id: `${REVIEW_IDS.confirm}:${id}`,
      label: `Confirm #${id}`,
    },
    {
      type: ComponentType.Button,
      style: ButtonStyle.Danger,
      custom_id: `${REVIEW_IDS.reject}:${id}`,
      label: `Reject #${id}`,
    },
  ];
}

/** The review module's Next: it answers the reviewer privately and posts the song, as /next does. */
function nextSongButton(queueEmpty: boolean): APIButtonComponent {
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    custom_id: REVIEW_IDS.next,
    label: 'Next song',
    disabled: queueEmpty,
  };
}

/** One option per song on the page (a page holds at most 25, Discord's cap on options). */
function removeSelect(view: EmbedView): APIStringSelectComponent {
  return {
    type: ComponentType.StringSelect,
    custom_id: `${REMOVE_SELECT_PREFIX}:${view.configId}`,
    placeholder: 'Remove a song on this page…',
    options: view.entries.map((e) => ({
      value: String(e.id),
      label: optionText(`${e.artist} – ${e.title}`),
      description: `#${e.id} · ${e.position}. in ${TIER_LABELS[e.tier]}`,
    })),
  };
}

/**
 * User text in a select option. Discord shows labels as plain text (no markdown, no mentions), so
 * backslash escapes would show up literally: the text is flattened to one line and capped instead.
 */
function optionText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > OPTION_TEXT_MAX ? `${flat.slice(0, OPTION_TEXT_MAX - 1)}…` : flat || '—';
}

/** `embeds:page:<config id>:<target page>`: the target differs per button, so ids stay unique. */
function pageButtons(configId: number, page: number, pages: number): APIButtonComponent[] {
  const target = (p: number) => `${PAGE_BUTTON_PREFIX}:${configId}:${p}`;
  return [
    {
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      custom_id: target(Math.max(0, page - 1)),
      label: '◀ Previous page',
      disabled: page === 0,
    },
    {
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      custom_id: target(Math.min(pages - 1, page + 1)),
      label: 'Next page ▶',
      disabled: page === pages - 1,
    },
  ];
}

/** sha256 of the message JSON: equal hashes mean an edit would change nothing. */
export function contentHash(message: EmbedMessage): string {
  return createHash('sha256').update(JSON.stringify(message)).digest('hex');
}
