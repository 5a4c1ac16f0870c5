/**
 * Which Discord shards this process runs. Discord routes each server's events to shard
 * `(guild_id >> 22) % shard_count`, so processes that share a token split the servers between them
 * by running different shard ids of the same count; no coordination between the processes is needed.
 */
export interface ShardPlan {
  /** The total shard count of every process on the token, or 'auto': Discord's recommendation. */
  count: number | 'auto';
  /** The shard ids this process runs, or 'all' of them. */
  ids: readonly number[] | 'all';
}

/** Discord refuses more; a count this high means a typo, not a bot in 2.5 million servers. */
export const MAX_SHARD_COUNT = 1_000;

/** `auto` (or empty), or a whole number from 1. */
export function parseShardCount(text: string | undefined): number | 'auto' | Error {
  const value = text?.trim() ?? '';
  if (value === '' || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_SHARD_COUNT)
    return new Error(`must be auto or a whole number from 1 to ${MAX_SHARD_COUNT}`);
  return Number(value);
}

/** `all` (or empty), or shard ids and ranges such as `0-3,8`. */
export function parseShardIds(text: string | undefined): readonly number[] | 'all' | Error {
  const value = text?.trim() ?? '';
  if (value === '' || value === 'all') return 'all';
  const ids = new Set<number>();
  for (const part of value.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!range)
      return new Error(`must be all, or shard numbers and ranges such as 0-3,8 (not "${part.trim()}")`);
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (to < from) return new Error(`the range ${from}-${to} runs backwards`);
    if (to >= MAX_SHARD_COUNT)
      return new Error(`shard ${to} is beyond the largest count, ${MAX_SHARD_COUNT}`);
    for (let id = from; id <= to; id += 1) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Checks the pair; a list of ids needs a fixed count, as each process must agree on it. */
export function checkShardPlan(plan: ShardPlan): string | undefined {
  if (plan.ids === 'all') return undefined;
  if (plan.count === 'auto')
    return 'DISCORD_SHARDS lists shards, so set DISCORD_SHARD_COUNT to the total count every process uses';
  const count = plan.count;
  const beyond = plan.ids.filter((id) => id >= count);
  if (beyond.length > 0)
    return `DISCORD_SHARDS names shard ${beyond.join(', ')}, but shards are numbered 0 to ${count - 1} (DISCORD_SHARD_COUNT=${count})`;
  return undefined;
}

/** The discord.js client options for a plan: `shards` and `shardCount`. */
export function shardClientOptions(plan: ShardPlan): { shards: number[] | 'auto'; shardCount?: number } {
  if (plan.count === 'auto') return { shards: 'auto' };
  const count = plan.count;
  const ids = plan.ids === 'all' ? Array.from({ length: count }, (_, id) => id) : [...plan.ids];
  return { shards: ids, shardCount: count };
}

/** The shard a server's events arrive on. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
