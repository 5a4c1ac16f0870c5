import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * Typed view of the tables created by migrations/*.sql (the SQL files are the source of truth;
 * test/storage/schema.test.ts checks this file against the migrated database).
 */
const int8 = (name: string) => bigint(name, { mode: 'number' });
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Generated columns: the expression lives in the migration; drizzle only needs to skip them on insert. */
const DEFINED_IN_MIGRATION = sql`DEFINED IN MIGRATION`;

export const guildConfig = pgTable('guild_config', {
  guildId: text('guild_id').primaryKey(),
  submissionChannelId: text('submission_channel_id'),
  reviewerChannelId: text('reviewer_channel_id'),
  reviewerRoleId: text('reviewer_role_id'),
  summaryChannelId: text('summary_channel_id'),
  tiktokUsername: text('tiktok_username'),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const liveSessions = pgTable('live_sessions', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  tiktokUsername: text('tiktok_username').notNull(),
  roomId: text('room_id'),
  startedAt: tstz('started_at').notNull().defaultNow(),
  endedAt: tstz('ended_at'),
  endReason: text('end_reason'),
  coinsAwarded: int8('coins_awarded').notNull().default(0),
  /** Null for sessions recorded before the split was kept (migration 0006). */
  giftCoinsAwarded: int8('gift_coins_awarded').default(0),
  watchCoinsAwarded: int8('watch_coins_awarded').default(0),
});

export const sessionWatch = pgTable(
  'session_watch',
  {
    guildId: text('guild_id').notNull(),
    sessionId: int8('session_id').notNull(),
    tiktokUserId: text('tiktok_user_id').notNull(),
    minutes: int8('minutes').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.sessionId, t.tiktokUserId] })],
);

export const tiktokAccounts = pgTable(
  'tiktok_accounts',
  {
    guildId: text('guild_id').notNull(),
    tiktokUserId: text('tiktok_user_id').notNull(),
    handle: text('handle').notNull(),
    nickname: text('nickname').notNull().default(''),
    discordUserId: text('discord_user_id'),
    linkedAt: tstz('linked_at'),
    points: int8('points').notNull().default(0),
    coins: int8('coins').notNull().default(0),
    watchMinutes: int8('watch_minutes').notNull().default(0),
    tiktokCoinsGifted: int8('tiktok_coins_gifted').notNull().default(0),
    giftCoinCarry: integer('gift_coin_carry').notNull().default(0),
    watchCoinCarry: integer('watch_coin_carry').notNull().default(0),
    firstSeenAt: tstz('first_seen_at').notNull().defaultNow(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.tiktokUserId] })],
);

export const userPoints = pgTable(
  'user_points',
  {
    guildId: text('guild_id').notNull(),
    discordUserId: text('discord_user_id').notNull(),
    points: int8('points').notNull().default(0),
    coins: int8('coins').notNull().default(0),
    watchMinutes: int8('watch_minutes').notNull().default(0),
    watchCoinCarry: integer('watch_coin_carry').notNull().default(0),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.discordUserId] })],
);

export const userPreferences = pgTable(
  'user_preferences',
  {
    guildId: text('guild_id').notNull(),
    discordUserId: text('discord_user_id').notNull(),
    notifyWhenNext: boolean('notify_when_next').notNull().default(false),
    mentionWhenReviewed: boolean('mention_when_reviewed').notNull().default(true),
    notifyWhenRated: boolean('notify_when_rated').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.discordUserId] })],
);

export const submissions = pgTable('submissions', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  submitterId: text('submitter_id').notNull(),
  artist: text('artist').notNull(),
  title: text('title').notNull(),
  link: text('link'),
  platform: text('platform'),
  filePath: text('file_path'),
  fileName: text('file_name'),
  note: text('note'),
  source: text('source').notNull().default('command'),
  resubmittedFrom: int8('resubmitted_from'),
  tier: text('tier').notNull().default('free'),
  tierRank: smallint('tier_rank').generatedAlwaysAs(DEFINED_IN_MIGRATION),
  skipAmount: integer('skip_amount').notNull().default(0),
  requestedSkipAmount: integer('requested_skip_amount'),
  score: int8('score').notNull().default(0),
  priority: int8('priority').generatedAlwaysAs(DEFINED_IN_MIGRATION),
  submittedAt: tstz('submitted_at').notNull().defaultNow(),
  tierSince: tstz('tier_since').notNull().defaultNow(),
  orderTime: tstz('order_time').generatedAlwaysAs(DEFINED_IN_MIGRATION),
  playedAt: tstz('played_at'),
  playedBy: text('played_by'),
  removedAt: tstz('removed_at'),
  removedBy: text('removed_by'),
  removeReason: text('remove_reason'),
});

export const skipCredits = pgTable('skip_credits', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  discordUserId: text('discord_user_id').notNull(),
  tier: text('tier').notNull(),
  skipAmount: integer('skip_amount').notNull(),
  fromSubmissionId: int8('from_submission_id'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  usedAt: tstz('used_at'),
  usedBySubmissionId: int8('used_by_submission_id'),
});

export const embedConfigs = pgTable('embed_configs', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  channelId: text('channel_id').notNull(),
  messageId: text('message_id'),
  kind: text('kind').notNull(),
  page: integer('page').notNull().default(0),
  active: boolean('active').notNull().default(true),
  contentHash: text('content_hash'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const interactions = pgTable('interactions', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  sessionId: int8('session_id'),
  kind: text('kind').notNull(),
  msgId: text('msg_id').notNull(),
  tiktokUserId: text('tiktok_user_id'),
  amount: int8('amount').notNull().default(0),
  points: int8('points').notNull().default(0),
  coins: int8('coins').notNull().default(0),
  payload: jsonb('payload').notNull().default({}),
  occurredAt: tstz('occurred_at').notNull(),
  recordedAt: tstz('recorded_at').notNull().defaultNow(),
});

export const linkRequests = pgTable('link_requests', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  discordUserId: text('discord_user_id').notNull(),
  tiktokHandle: text('tiktok_handle').notNull(),
  code: text('code').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  completedAt: tstz('completed_at'),
  tiktokUserId: text('tiktok_user_id'),
});

export const auditLog = pgTable('audit_log', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  actorId: text('actor_id').notNull(),
  action: text('action').notNull(),
  targetUserId: text('target_user_id'),
  submissionId: int8('submission_id'),
  reason: text('reason'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const giftStreaks = pgTable(
  'gift_streaks',
  {
    guildId: text('guild_id').notNull(),
    streakKey: text('streak_key').notNull(),
    sessionId: int8('session_id'),
    tiktokUserId: text('tiktok_user_id').notNull(),
    giftId: int8('gift_id').notNull(),
    diamondCount: int8('diamond_count').notNull(),
    repeatCount: integer('repeat_count').notNull().default(0),
    creditedValue: int8('credited_value').notNull().default(0),
    creditedPoints: int8('credited_points').notNull().default(0),
    startedAt: tstz('started_at').notNull(),
    settledAt: tstz('settled_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.streakKey] })],
);

export const giftSkipClaims = pgTable('gift_skip_claims', {
  id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
  guildId: text('guild_id').notNull(),
  tiktokUserId: text('tiktok_user_id').notNull(),
  tier: text('tier').notNull(),
  giftValue: int8('gift_value').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  claimedAt: tstz('claimed_at'),
  claimedBy: text('claimed_by'),
});
