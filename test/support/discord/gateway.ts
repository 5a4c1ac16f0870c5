import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import {
  ApplicationFlags,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  type GatewayDispatchPayload,
  type GatewayIdentifyData,
  type GatewayMessageCreateDispatchData,
  type GatewayReadyDispatchData,
  type GatewayResumeData,
  type GatewaySendPayload,
} from 'discord-api-types/v10';
import { WebSocketServer, type WebSocket } from 'ws';
import type { World } from './world.js';

export type DispatchData<E extends GatewayDispatchEvents> = Extract<GatewayDispatchPayload, { t: E }>['d'];

/** How a client (re)started its session on the gateway. */
export type SessionStart = 'identified' | 'resumed';

interface Session {
  id: string;
  intents: number;
  seq: number;
  /** The [shard_id, num_shards] pair of IDENTIFY ([0, 1] without one). */
  shard: readonly [number, number];
}

/** Discord's routing rule: a guild's events go to shard `(guild_id >> 22) % num_shards`. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** The guild an event belongs to: `guild_id`, or `id` for the guild's own events. DMs have none. */
function guildOf(event: GatewayDispatchEvents, data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  if (GUILD_OWN_EVENTS.has(event) && 'id' in data && typeof data.id === 'string') return data.id;
  return 'guild_id' in data && typeof data.guild_id === 'string' && data.guild_id ? data.guild_id : undefined;
}

/** A bot in under 100 servers with Message Content switched on in the developer portal. */
export const APPLICATION_FLAGS = ApplicationFlags.GatewayMessageContentLimited;

const I = GatewayIntentBits;
const E = GatewayDispatchEvents;
const GUILD_OWN_EVENTS = new Set<GatewayDispatchEvents>([E.GuildCreate, E.GuildUpdate, E.GuildDelete]);
const MESSAGES = [I.GuildMessages, I.DirectMessages] as const;
const REACTIONS = [I.GuildMessageReactions, I.DirectMessageReactions] as const;
const MEMBERS = [I.GuildMembers, I.GuildMembers] as const;
/** The intent Discord requires before it sends an event, for guild events and for DM events. */
const REQUIRED_INTENT: Partial<Record<GatewayDispatchEvents, readonly [guild: number, dm: number]>> = {
  [E.MessageCreate]: MESSAGES,
  [E.MessageUpdate]: MESSAGES,
  [E.MessageDelete]: MESSAGES,
  [E.MessageDeleteBulk]: MESSAGES,
  [E.MessageReactionAdd]: REACTIONS,
  [E.MessageReactionRemove]: REACTIONS,
  [E.MessageReactionRemoveAll]: REACTIONS,
  [E.MessageReactionRemoveEmoji]: REACTIONS,
  [E.GuildMemberAdd]: MEMBERS,
  [E.GuildMemberUpdate]: MEMBERS,
  [E.GuildMemberRemove]: MEMBERS,
};

/** The gateway half of the local Discord: HELLO, heartbeats, IDENTIFY/RESUME and dispatches. */
export class FakeGateway {
  /** Every IDENTIFY received, in order (the token, intents and properties the client sent). */
  readonly identifies: GatewayIdentifyData[] = [];
  private readonly server: WebSocketServer;
  private readonly sessions = new Map<string, Session>();
  private readonly live = new Map<WebSocket, Session>();
  private readonly sessionStarts = new EventEmitter();
  /** While set, gateway handshakes are answered 503 (see `cut`). */
  private refusing = false;
  /** While set, IDENTIFY and RESUME are answered with close code 4004 (authentication failed). */
  refuseToken = false;

  constructor(
    httpServer: Server,
    private readonly world: World,
    private readonly options: {
      url: () => string;
      heartbeatIntervalMs: number;
      /** Fewer shards than this are closed with 4011 (sharding required), as for a bot in many servers. */
      requiredShards: number;
    },
  ) {
    this.server = new WebSocketServer({
      server: httpServer,
      path: '/gateway',
      verifyClient: (_info, accept) => (this.refusing ? accept(false, 503) : accept(true)),
    });
    this.server.on('connection', (socket) => this.accept(socket));
  }

  dispatch<Event extends GatewayDispatchEvents>(event: Event, data: DispatchData<Event>): void {
    if (this.live.size === 0)
      throw new Error(`local Discord: cannot dispatch ${event}, no client is connected`);
    const guildId = guildOf(event, data);
    const receivers = [...this.live].filter(([, session]) => this.shardReceives(session, guildId));
    if (receivers.length === 0) {
      throw new Error(
        `local Discord: cannot dispatch ${event}, no client runs the shard of ${guildId ? `guild ${guildId}` : 'direct messages'}`,
      );
    }
    for (const [socket, session] of receivers) {
      const visible = this.asSeenBy(session, event, data);
      if (visible) this.sendDispatch(socket, session, event, visible.data);
    }
  }

  /** Whether a client runs the shard that `guildId`'s events (or DMs, without one) go to. */
  hasShardFor(guildId: string | undefined): boolean {
    return [...this.live.values()].some((session) => this.shardReceives(session, guildId));
  }

  /** The [shard_id, num_shards] pairs of the connected sessions. */
  connectedShards(): (readonly [number, number])[] {
    return [...this.live.values()].map((session) => session.shard);
  }

  /** Direct messages go to shard 0 only; a guild's events to the shard of its id. */
  private shardReceives(session: Session, guildId: string | undefined): boolean {
    const [shardId, shardCount] = session.shard;
    return guildId === undefined ? shardId === 0 : shardOfGuild(guildId, shardCount) === shardId;
  }

  /** Closes every connection with `code`; resolves once the client has resumed or identified again. */
  async close(code: number, awaitReconnect: boolean): Promise<SessionStart | undefined> {
    const next = awaitReconnect ? this.nextSessionStart() : undefined;
    for (const socket of this.server.clients) socket.close(code);
    return next;
  }

  /**
   * A gateway outage: every connection drops without a close frame (the client sees 1006, as when
   * the network goes) and new handshakes are answered 503 until `restore()`.
   */
  cut(): void {
    this.refusing = true;
    for (const socket of this.server.clients) socket.terminate();
  }

  /** Ends an outage; resolves once the client has resumed or identified again. */
  restore(timeoutMs?: number): Promise<SessionStart> {
    const next = this.nextSessionStart(timeoutMs);
    this.refusing = false;
    return next;
  }

  /** Drops every connection without a close frame (the listening socket is the caller's to close). */
  dropAll(): void {
    for (const socket of this.server.clients) socket.terminate();
  }

  /** Sends op 7 RECONNECT; resolves once the client has resumed. */
  async requestReconnect(): Promise<SessionStart> {
    const next = this.nextSessionStart();
    for (const socket of this.live.keys()) this.send(socket, { op: GatewayOpcodes.Reconnect, d: null });
    return next;
  }

  async shutdown(): Promise<void> {
    for (const socket of this.server.clients) socket.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async nextSessionStart(timeoutMs = 5_000): Promise<SessionStart> {
    try {
      const [how] = await once(this.sessionStarts, 'start', { signal: AbortSignal.timeout(timeoutMs) });
      return how as SessionStart;
    } catch {
      throw new Error(`local Discord: the client did not resume or identify within ${timeoutMs} ms`);
    }
  }

  private accept(socket: WebSocket): void {
    socket.on('message', (raw) => this.receive(socket, JSON.parse(String(raw)) as GatewaySendPayload));
    socket.on('close', () => this.live.delete(socket));
    this.send(socket, {
      op: GatewayOpcodes.Hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs },
    });
  }

  private receive(socket: WebSocket, payload: GatewaySendPayload): void {
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        return this.send(socket, { op: GatewayOpcodes.HeartbeatAck });
      case GatewayOpcodes.Identify:
        return this.identify(socket, payload.d);
      case GatewayOpcodes.Resume:
        return this.resume(socket, payload.d);
      default:
        // Presence, voice state and member requests are not modelled.
        return;
    }
  }

  private identify(socket: WebSocket, data: GatewayIdentifyData): void {
    this.identifies.push(data);
    if (this.refuseToken)
      return socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const [shardId, shardCount] = data.shard ?? [0, 1];
    const validShard =
      Number.isInteger(shardId) && Number.isInteger(shardCount) && shardId >= 0 && shardId < shardCount;
    if (!validShard) return socket.close(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    if (shardCount < this.options.requiredShards)
      return socket.close(GatewayCloseCodes.ShardingRequired, 'Sharding required.');
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents: Number(data.intents),
      seq: 0,
      shard: [shardId, shardCount],
    };
    this.sessions.set(session.id, session);
    this.live.set(socket, session);
    const guilds = [...this.world.guilds.values()].filter(
      (guild) => shardOfGuild(guild.id, shardCount) === shardId,
    );
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: this.world.bot,
      guilds: guilds.map(({ id }) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.url(),
      shard: [shardId, shardCount],
      application: { id: this.world.bot.id, flags: APPLICATION_FLAGS, flags_new: String(APPLICATION_FLAGS) },
    };
    this.sendDispatch(socket, session, E.Ready, ready);
    // Without one GUILD_CREATE per guild in READY, discord.js waits 15 s before `clientReady`.
    for (const guild of guilds) {
      this.sendDispatch(
        socket,
        session,
        E.GuildCreate,
        this.world.guildCreatePayload(guild, session.intents),
      );
    }
    this.sessionStarts.emit('start', 'identified');
  }

  private resume(socket: WebSocket, data: GatewayResumeData): void {
    if (this.refuseToken)
      return socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const session = this.sessions.get(data.session_id);
    if (!session) return this.send(socket, { op: GatewayOpcodes.InvalidSession, d: false });
    this.live.set(socket, session);
    this.sendDispatch(socket, session, E.Resumed, undefined);
    this.sessionStarts.emit('start', 'resumed');
  }

  /** Drops events the session has no intent for and blanks content without Message Content. */
  private asSeenBy(
    session: Session,
    event: GatewayDispatchEvents,
    data: unknown,
  ): { data: unknown } | undefined {
    const inGuild = typeof data === 'object' && data !== null && 'guild_id' in data && Boolean(data.guild_id);
    const required = REQUIRED_INTENT[event]?.[inGuild ? 0 : 1];
    if (required !== undefined && (session.intents & required) === 0) return undefined;
    if (event !== E.MessageCreate && event !== E.MessageUpdate) return { data };
    return { data: this.withoutContentIfHidden(session, data as GatewayMessageCreateDispatchData) };
  }

  /**
   * Discord's Message Content rule: without the intent a bot sees empty content, embeds, attachments,
   * components and polls, except in DMs, in its own messages and in messages that mention it.
   */
  private withoutContentIfHidden(session: Session, message: GatewayMessageCreateDispatchData) {
    const botId = this.world.bot.id;
    const visible =
      (session.intents & I.MessageContent) !== 0 ||
      !message.guild_id ||
      message.author.id === botId ||
      message.mentions.some((user) => user.id === botId);
    if (visible) return message;
    const { poll: _poll, ...rest } = message;
    return { ...rest, content: '', embeds: [], attachments: [], components: [] };
  }

  private sendDispatch(
    socket: WebSocket,
    session: Session,
    event: GatewayDispatchEvents,
    data: unknown,
  ): void {
    session.seq += 1;
    this.send(socket, { op: GatewayOpcodes.Dispatch, t: event, s: session.seq, d: data });
  }

  private send(socket: WebSocket, payload: object): void {
    socket.send(JSON.stringify(payload));
  }
}
