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
}

/** A bot in under 100 servers with Message Content switched on in the developer portal. */
export const APPLICATION_FLAGS = ApplicationFlags.GatewayMessageContentLimited;

const I = GatewayIntentBits;
const E = GatewayDispatchEvents;
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
    private readonly options: { url: () => string; heartbeatIntervalMs: number },
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
    for (const [socket, session] of this.live) {
      const visible = this.asSeenBy(session, event, data);
      if (visible) this.sendDispatch(socket, session, event, visible.data);
    }
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
    const session: Session = { id: randomBytes(16).toString('hex'), intents: Number(data.intents), seq: 0 };
    this.sessions.set(session.id, session);
    this.live.set(socket, session);
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: this.world.bot,
      guilds: [...this.world.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.url(),
      shard: [0, 1],
      application: { id: this.world.bot.id, flags: APPLICATION_FLAGS, flags_new: String(APPLICATION_FLAGS) },
    };
    this.sendDispatch(socket, session, E.Ready, ready);
    // Without one GUILD_CREATE per guild in READY, discord.js waits 15 s before `clientReady`.
    for (const guild of this.world.guilds.values()) {
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
