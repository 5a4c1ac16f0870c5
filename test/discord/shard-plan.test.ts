import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  checkShardPlan,
  parseShardCount,
  parseShardIds,
  shardClientOptions,
  shardOfGuild,
} from '../../src/discord/shard-plan.js';

describe('shard settings', () => {
  it('reads a count: auto by default, else a whole number', () => {
    expect(parseShardCount(undefined)).toBe('auto');
    expect(parseShardCount(' auto ')).toBe('auto');
    expect(parseShardCount('4')).toBe(4);
    for (const bad of ['0', '-1', '1.5', 'two', '1001']) expect(parseShardCount(bad)).toBeInstanceOf(Error);
  });

  it('reads shard ids and ranges, sorted and without repeats', () => {
    expect(parseShardIds('')).toBe('all');
    expect(parseShardIds('all')).toBe('all');
    expect(parseShardIds('3, 0-1,1')).toEqual([0, 1, 3]);
    expect(parseShardIds('2-2')).toEqual([2]);
    expect((parseShardIds('0-x') as Error).message).toContain('not "0-x"');
    expect((parseShardIds('3-1') as Error).message).toContain('runs backwards');
  });

  it('needs a fixed count to run a part of the shards, and ids below it', () => {
    expect(checkShardPlan({ count: 'auto', ids: 'all' })).toBeUndefined();
    expect(checkShardPlan({ count: 4, ids: [0, 3] })).toBeUndefined();
    expect(checkShardPlan({ count: 'auto', ids: [0] })).toContain('set DISCORD_SHARD_COUNT');
    expect(checkShardPlan({ count: 2, ids: [1, 2, 5] })).toContain('shard 2, 5');
  });

  it('turns a plan into discord.js client options', () => {
    expect(shardClientOptions({ count: 'auto', ids: 'all' })).toEqual({ shards: 'auto' });
    expect(shardClientOptions({ count: 3, ids: 'all' })).toEqual({ shards: [0, 1, 2], shardCount: 3 });
    expect(shardClientOptions({ count: 3, ids: [2] })).toEqual({ shards: [2], shardCount: 3 });
  });

  it('routes a server to its shard as Discord does', () => {
    // The id's timestamp part (bits 22 and up) decides the shard.
    expect(shardOfGuild('41771983423143936', 1)).toBe(0);
    expect(shardOfGuild(((5n << 22n) | 123n).toString(), 4)).toBe(1);
    expect(shardOfGuild(((7n << 22n) | 4_000_000n).toString(), 4)).toBe(3);
  });

  it('refuses bad shard settings at start-up, naming the setting', () => {
    const load = (env: Record<string, string>) => () => loadConfig(env);
    expect(load({ DISCORD_SHARD_COUNT: 'many' })).toThrow(
      /DISCORD_SHARD_COUNT: must be auto or a whole number/,
    );
    expect(load({ DISCORD_SHARDS: '0-1' })).toThrow(ConfigError);
    expect(load({ DISCORD_SHARDS: '0-1' })).toThrow(/set DISCORD_SHARD_COUNT/);
    expect(load({ DISCORD_SHARD_COUNT: '2', DISCORD_SHARDS: '2' })).toThrow(/numbered 0 to 1/);
    expect(loadConfig({ DISCORD_SHARD_COUNT: '2', DISCORD_SHARDS: '1' }).shards).toEqual({
      count: 2,
      ids: [1],
    });
  });
});
