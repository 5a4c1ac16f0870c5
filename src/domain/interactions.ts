/**
 * The kinds of TikTok LIVE message recorded as interactions, one row each. The CHECK constraint on
 * `interactions.kind` (migration 0001) lists the same kinds; test/storage/sql-rules.test.ts reads it
 * back from the database and compares.
 */
export const INTERACTION_KINDS = ['gift', 'like', 'join', 'comment', 'share', 'follow', 'viewers'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];
