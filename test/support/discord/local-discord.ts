import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GatewayDispatchEvents,
  MessageFlags,
  type APIApplicationCommand,
  type APIGuildMember,
  type APIMessage,
  type APIRole,
  type APIUser,
  type GatewayMessageCreateDispatchData,
} from 'discord-api-types/v10';
import { FakeGateway, type DispatchData, type SessionStart } from './gateway.js';
import {
  InteractionHandle,
  InteractionPayloads,
  type AutocompleteInput,
  type ButtonInput,
  type ModalSubmitInput,
  type SelectMenuInput,
  type SlashCommandInput,
} from './interactions.js';
import type { AttachmentInput, ChannelInput, GuildChannelPayload, RoleInput, UserInput } from './payloads.js';
import { CallRecorder, type CallPredicate, type RecordedCall } from './recorder.js';
import { apiError } from './discord-errors.js';
import { RestRoutes, RouteFailure, type RestRequest, type RestResponse } from './rest-routes.js';
import {
  GLOBAL_COMMANDS,
  World,
  type GuildInput,
  type GuildState,
  type MemberInput,
  type UploadedFile,
} from './world.js';

export interface LocalDiscordOptions {
  botName?: string;
  /** HELLO's heartbeat interval; Discord's is ~41 s. */
  heartbeatIntervalMs?: number;
  /** The shard count `GET /gateway/bot` recommends (1). */
  recommendedShards?: number;
  /** IDENTIFY with fewer shards is closed with 4011, sharding required (1). */
  requiredShards?: number;
  /** Shards that may IDENTIFY at once (`max_concurrency`, 1 as for most bots: one IDENTIFY per 5 s). */
  maxConcurrency?: number;
}

export interface UserMessageInput {
  channelId: string;
  author: APIUser | string;
  content?: string;
  attachments?: AttachmentInput[];
  /** Users mentioned besides the `<@id>` mentions found in `content`. */
  mentions?: (APIUser | string)[];
}

interface Failure {
  method: string;
  path: string | RegExp;
  response: RestResponse;
}

/** Without a Content-Length, Node sends each write as one chunk of a chunked body. */
const CDN_CHUNK_BYTES = 64 * 1024;

/** Starts a local Discord (REST under /api/v10 and a gateway) on an ephemeral 127.0.0.1 port. */
export async function startLocalDiscord(options: LocalDiscordOptions = {}): Promise<LocalDiscord> {
  const discord = new LocalDiscord(options);
  await discord.listen();
  return discord;
}

export class LocalDiscord {
  readonly token = 'local-discord-bot-token';
  readonly world: World;
  /** `METHOD /path` of every request no route answered; tests expect it to stay empty. */
  readonly unknownRoutes: string[] = [];
  private readonly recorder = new CallRecorder();
  private readonly failures: Failure[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly gateway: FakeGateway;
  private readonly routes: RestRoutes;
  private readonly payloads: InteractionPayloads;
  private readonly cleanups: (() => unknown)[] = [];
  private tokenRefusedBy: 'rest' | 'gateway' | null = null;
  private port = 0;

  constructor(options: LocalDiscordOptions = {}) {
    this.world = new World(options.botName ?? 'Music Review Bot');
    this.gateway = new FakeGateway(this.server, this.world, {
      url: () => this.gatewayUrl,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      requiredShards: options.requiredShards ?? 1,
    });
    this.routes = new RestRoutes(this.world, () => this.gatewayUrl, {
      recommendedShards: options.recommendedShards ?? options.requiredShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 1,
    });
    this.payloads = new InteractionPayloads(this.world);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.world.cdnUrl = `http://127.0.0.1:${this.port}`;
  }

  /** What to pass as `rest.api` to the discord.js Client. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  get bot(): APIUser {
    return this.world.bot;
  }

  /** The intents of the latest IDENTIFY. */
  get identifiedIntents(): number | undefined {
    return this.gateway.identifies.at(-1)?.intents;
  }

  /** The shard pair of every IDENTIFY received, in order ([0, 1] when the client sent none). */
  get identifiedShards(): (readonly [number, number])[] {
    return this.gateway.identifies.map((identify) => identify.shard ?? [0, 1]);
  }

  /** The shard pairs of the connected sessions. */
  connectedShards(): (readonly [number, number])[] {
    return this.gateway.connectedShards();
  }

  /** Whether a connected client runs the shard of `guildId` (of direct messages, without one). */
  hasShardFor(guildId?: string): boolean {
    return this.gateway.hasShardFor(guildId);
  }

  get calls(): readonly RecordedCall[] {
    return this.recorder.calls;
  }

  // World set-up.

  addUser(input: UserInput): APIUser {
    return this.world.addUser(input);
  }

  addGuild(input: GuildInput): GuildState {
    return this.world.addGuild(input);
  }

  addChannel(guildId: string, input: ChannelInput): GuildChannelPayload {
    return this.world.addChannel(guildId, input);
  }

  /** A channel made while the bot is connected: added, then announced with CHANNEL_CREATE as Discord does. */
  createChannel(guildId: string, input: ChannelInput): GuildChannelPayload {
    const channel = this.world.addChannel(guildId, input);
    this.dispatch(GatewayDispatchEvents.ChannelCreate, { ...channel, guild_id: guildId });
    return channel;
  }

  addRole(guildId: string, input: RoleInput): APIRole {
    return this.world.addRole(guildId, input);
  }

  addMember(guildId: string, input: MemberInput): APIGuildMember {
    return this.world.addMember(guildId, input);
  }

  /** What the channel shows, oldest first; ephemeral messages only with `includeEphemeral`. */
  channelMessages(channelId: string, { includeEphemeral = false } = {}): APIMessage[] {
    return this.world
      .channelMessages(channelId)
      .filter((m) => includeEphemeral || ((m.flags ?? 0) & MessageFlags.Ephemeral) === 0);
  }

  registeredCommands(guildId?: string): APIApplicationCommand[] {
    return this.world.commands.get(guildId ?? GLOBAL_COMMANDS) ?? [];
  }

  // Gateway.

  dispatch<Event extends GatewayDispatchEvents>(event: Event, data: DispatchData<Event>): void {
    this.gateway.dispatch(event, data);
  }

  /** Closes the gateway connection with `code` (4000 makes discord.js resume); waits for the new session. */
  closeGateway(code: number, { awaitReconnect = true } = {}): Promise<SessionStart | undefined> {
    return this.gateway.close(code, awaitReconnect);
  }

  requestReconnect(): Promise<SessionStart> {
    return this.gateway.requestReconnect();
  }

  /**
   * Discord no longer accepts the bot token (reset in the developer portal): REST answers 401, or the
   * gateway closes IDENTIFY and RESUME with 4004 while REST still works.
   */
  refuseBotToken(by: 'rest' | 'gateway'): void {
    this.tokenRefusedBy = by;
    this.gateway.refuseToken = by === 'gateway';
  }

  /**
   * A gateway outage while REST keeps working: connections drop as on a network cut (1006) and
   * reconnects are refused with 503 until `restoreGateway()`.
   */
  cutGateway(): void {
    this.gateway.cut();
  }

  /** Ends `cutGateway()`'s outage; resolves once the client has resumed or identified again. */
  restoreGateway(timeoutMs?: number): Promise<SessionStart> {
    return this.gateway.restore(timeoutMs);
  }

  /**
   * Discord unreachable: the port stops listening (REST and gateway connections are refused) and
   * every open connection drops. `backOnline()` listens on the same port again.
   */
  async goOffline(): Promise<void> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.gateway.dropAll();
    this.server.closeAllConnections();
    await closed;
  }

  async backOnline(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  // REST recorder and fault injection.

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.recorder.callsTo(method, path);
  }

  waitForCall<Body = unknown>(predicate: CallPredicate, timeoutMs = 5_000): Promise<RecordedCall<Body>> {
    return this.recorder.waitForCall<Body>(predicate, timeoutMs);
  }

  /** The next request matching `method` and `path` (exact decoded path or pattern) gets `response`. */
  failNext(method: string, path: string | RegExp, response: RestResponse): void {
    this.failures.push({ method, path, response });
  }

  // What users do.

  message(input: UserMessageInput): APIMessage {
    const author = this.world.user(input.author);
    const guild = this.world.guildOfChannel(input.channelId);
    const content = input.content ?? '';
    const mentionedIds = new Set([
      ...(input.mentions ?? []).map((u) => (typeof u === 'string' ? u : u.id)),
      ...[...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!),
    ]);
    const mentions = [...mentionedIds].flatMap((id) => this.world.users.get(id) ?? []);
    const attachments = (input.attachments ?? []).map((file) => this.world.storeFile(input.channelId, file));
    const message = this.world.postMessage(input.channelId, author, { content }, [], {
      attachments,
      mentions,
    });
    const memberOf = (user: APIUser) => {
      const entry = guild?.members.get(user.id);
      if (!entry) return {};
      const { user: _user, ...member } = entry.member;
      return { member };
    };
    const authorMember = guild ? memberOf(this.world.member(guild.id, author.id).user) : {};
    const data: GatewayMessageCreateDispatchData = guild
      ? {
          ...message,
          guild_id: guild.id,
          ...authorMember,
          mentions: mentions.map((user) => ({ ...user, ...memberOf(user) })),
        }
      : message;
    this.dispatch(GatewayDispatchEvents.MessageCreate, data);
    return message;
  }

  slashCommand(input: SlashCommandInput): InteractionHandle {
    return this.interact(this.payloads.slashCommand(input));
  }

  autocomplete(input: AutocompleteInput): InteractionHandle {
    return this.interact(this.payloads.autocomplete(input));
  }

  button(input: ButtonInput): InteractionHandle {
    return this.interact(this.payloads.button(input));
  }

  selectMenu(input: SelectMenuInput): InteractionHandle {
    return this.interact(this.payloads.selectMenu(input));
  }

  modalSubmit(input: ModalSubmitInput): InteractionHandle {
    return this.interact(this.payloads.modalSubmit(input));
  }

  /** Runs `cleanup` (e.g. destroying a client) at the start of `close()`. */
  onClose(cleanup: () => unknown): void {
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    await this.gateway.shutdown();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private interact(payload: InteractionHandle['payload']): InteractionHandle {
    this.world.interactions.set(payload.token, { payload, acknowledged: false });
    this.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    return new InteractionHandle(payload, this.recorder, this.world);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (segments[0] === 'attachments') return this.serveFile(segments[2] ?? '', res);
    const isApi = segments[0] === 'api' && segments[1] === 'v10';
    const path = isApi ? `/${segments.slice(2).join('/')}` : url.pathname;
    const method = req.method ?? 'GET';
    const { body, files } = await parseBody(req.headers['content-type'], raw);
    const response =
      isApi && this.tokenRefusedBy === 'rest' && req.headers.authorization
        ? apiError(401, 0, '401: Unauthorized')
        : this.respond(
            { method, params: {}, query: url.searchParams, body, files },
            path,
            segments.slice(2),
            isApi,
          );
    // Recorded before answering, so a test awaiting the call already sees the world updated.
    this.recorder.record({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      files,
      headers: req.headers,
      status: response.status,
      response: response.body,
      at,
    });
    send(res, response);
  }

  private respond(request: RestRequest, path: string, segments: string[], isApi: boolean): RestResponse {
    const failure = this.failures.findIndex(
      (f) =>
        f.method === request.method && (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (failure >= 0) return this.failures.splice(failure, 1)[0]!.response;
    const route = isApi ? this.routes.match(request.method, segments) : undefined;
    if (!route) {
      this.unknownRoutes.push(`${request.method} ${path}`);
      return apiError(404, 0, '404: Not Found');
    }
    try {
      return route.handle({ ...request, params: route.params });
    } catch (error) {
      if (error instanceof RouteFailure) return error.response;
      console.error('local Discord: route failed', request.method, path, error);
      return apiError(500, 0, `500: Internal Server Error (${String(error)})`);
    }
  }

  private serveFile(id: string, res: ServerResponse): void {
    const file = this.world.files.get(id);
    if (!file) return send(res, apiError(404, 0, '404: Not Found'));
    const contentType = file.attachment.content_type ?? 'application/octet-stream';
    const { chunked = false, stallAfterBytes } = file.delivery;
    if (stallAfterBytes !== undefined) {
      // The connection stays open until close() ends it.
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(file.data.length) });
      res.write(file.data.subarray(0, stallAfterBytes));
      return;
    }
    if (chunked) {
      res.writeHead(200, { 'Content-Type': contentType });
      for (let at = 0; at < file.data.length; at += CDN_CHUNK_BYTES) {
        res.write(file.data.subarray(at, at + CDN_CHUNK_BYTES));
      }
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': contentType });
    res.end(file.data);
  }
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (!contentType?.startsWith('multipart/form-data'))
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  const form = await new Request('http://local.discord/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: raw,
  }).formData();
  let body: unknown;
  const files: UploadedFile[] = [];
  for (const [field, value] of form) {
    if (field === 'payload_json') body = JSON.parse(String(value));
    else if (typeof value !== 'string') {
      const index = Number(/^files\[(\d+)\]$/.exec(field)?.[1] ?? files.length);
      files.push({
        index,
        name: value.name,
        data: Buffer.from(await value.arrayBuffer()),
        contentType: value.type,
      });
    }
  }
  return { body, files };
}

/** JSON answers carry `Content-Type: application/json`; a 204 has neither body nor content type (discord.js would try to parse it). */
function send(res: ServerResponse, response: RestResponse): void {
  if (response.body === undefined) {
    res.writeHead(response.status, response.headers);
    res.end();
    return;
  }
  res.writeHead(response.status, { 'Content-Type': 'application/json', ...response.headers });
  res.end(JSON.stringify(response.body));
}
