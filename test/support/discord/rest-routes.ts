import {
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
  PermissionFlagsBits,
  type APIApplication,
  type APIApplicationCommand,
  type APIMessage,
  type APIMessageInteractionMetadata,
  type RESTGetAPIGatewayBotResult,
  type RESTPostAPIApplicationCommandsJSONBody,
  type RESTPostAPIInteractionCallbackJSONBody,
  type RESTPostAPIInteractionCallbackWithResponseResult,
} from 'discord-api-types/v10';
import { discordErrors } from './discord-errors.js';
import { APPLICATION_FLAGS } from './gateway.js';
import { guildPayload, memberPayload, nextSnowflake, type MessageBody } from './payloads.js';
import { GLOBAL_COMMANDS, type InteractionState, type UploadedFile, type World } from './world.js';

export interface RestRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by a route to answer with a Discord error. */
export class RouteFailure extends Error {
  constructor(readonly response: RestResponse) {
    super(JSON.stringify(response.body));
  }
}

const ok = (body: unknown): RestResponse => ({ status: 200, body });
const noContent = (): RestResponse => ({ status: 204 });
const fail = (response: RestResponse): never => {
  throw new RouteFailure(response);
};

/** Which callback types Discord accepts for each interaction type. */
const R = InteractionResponseType;
const ALLOWED_CALLBACKS: Record<number, InteractionResponseType[]> = {
  [InteractionType.ApplicationCommand]: [
    R.ChannelMessageWithSource,
    R.DeferredChannelMessageWithSource,
    R.Modal,
  ],
  [InteractionType.MessageComponent]: [
    R.ChannelMessageWithSource,
    R.DeferredChannelMessageWithSource,
    R.DeferredMessageUpdate,
    R.UpdateMessage,
    R.Modal,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [R.ApplicationCommandAutocompleteResult],
  [InteractionType.ModalSubmit]: [
    R.ChannelMessageWithSource,
    R.DeferredChannelMessageWithSource,
    R.DeferredMessageUpdate,
    R.UpdateMessage,
  ],
};

type Handler = (req: RestRequest) => RestResponse;
interface Route {
  method: string;
  segments: string[];
  handle: Handler;
}

/** The REST API a discord.js bot uses, answered from the world model. */
export class RestRoutes {
  private readonly routes: Route[] = [];

  constructor(
    private readonly world: World,
    private readonly gatewayUrl: () => string,
    private readonly sharding: { recommendedShards: number; maxConcurrency: number },
  ) {
    const w = world;
    this.on('GET', '/gateway/bot', () => ok(this.gatewayBot()));
    this.on('GET', '/users/@me', () => ok(w.bot));
    this.on('GET', '/users/:user', (r) => ok(w.users.get(r.params.user!) ?? fail(discordErrors.unknownUser)));
    this.on('POST', '/users/@me/channels', (r) =>
      ok(w.openDm(this.user((r.body as { recipient_id: string }).recipient_id))),
    );
    this.on('GET', '/applications/@me', () => ok(this.application()));
    for (const prefix of ['/applications/:app', '/applications/:app/guilds/:guild']) {
      this.on('GET', `${prefix}/commands`, (r) => ok(w.commands.get(this.commandScope(r)) ?? []));
      this.on('PUT', `${prefix}/commands`, (r) => ok(this.putCommands(r)));
      this.on('POST', `${prefix}/commands`, (r) => ok(this.postCommand(r)));
    }
    this.on('POST', '/interactions/:id/:token/callback', (r) => this.interactionCallback(r));
    this.on('POST', '/webhooks/:app/:token', (r) => this.followUp(r));
    this.on('GET', '/webhooks/:app/:token/messages/:message', (r) => ok(this.webhookMessage(r)));
    this.on('PATCH', '/webhooks/:app/:token/messages/:message', (r) =>
      ok(w.editMessage(this.webhookMessage(r), r.body as MessageBody, r.files)),
    );
    this.on('DELETE', '/webhooks/:app/:token/messages/:message', (r) => {
      const message = this.webhookMessage(r);
      w.deleteMessage(message.channel_id, message.id);
      return noContent();
    });
    this.on('GET', '/channels/:channel', (r) => ok(this.channel(r)));
    this.on('GET', '/channels/:channel/messages', (r) => ok(this.listMessages(r)));
    this.on('POST', '/channels/:channel/messages', (r) => ok(this.createMessage(r)));
    this.on('GET', '/channels/:channel/messages/:message', (r) => ok(this.message(r)));
    this.on('PATCH', '/channels/:channel/messages/:message', (r) => ok(this.editChannelMessage(r)));
    this.on('DELETE', '/channels/:channel/messages/:message', (r) => this.deleteChannelMessage(r));
    this.on('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', (r) => this.react(r, true));
    this.on('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/@me', (r) =>
      this.react(r, false),
    );
    this.on('GET', '/guilds/:guild', (r) => {
      const guild = this.guild(r);
      return ok(guildPayload({ ...guild, roles: [...guild.roles.values()] }));
    });
    this.on('GET', '/guilds/:guild/roles', (r) => ok([...this.guild(r).roles.values()]));
    this.on('GET', '/guilds/:guild/channels', (r) =>
      ok(this.world.guildCreatePayload(this.guild(r), 0).channels),
    );
    this.on('GET', '/guilds/:guild/members/:user', (r) => {
      const entry = this.guild(r).members.get(r.params.user!) ?? fail(discordErrors.unknownMember);
      return ok(memberPayload(entry.member.user, entry.member.roles, entry.member.nick ?? null));
    });
  }

  /** Finds the route for a request; `segments` are already URL-decoded (`%40original` → `@original`). */
  match(method: string, segments: string[]): { handle: Handler; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = route.segments.every((part, i) => {
        const actual = segments[i]!;
        if (part.startsWith(':')) params[part.slice(1)] = actual;
        return part.startsWith(':') || part === actual;
      });
      if (matches) return { handle: route.handle, params };
    }
    return undefined;
  }

  private on(method: string, path: string, handle: Handler): void {
    this.routes.push({ method, segments: path.split('/').filter(Boolean), handle });
  }

  private gatewayBot(): RESTGetAPIGatewayBotResult {
    return {
      url: this.gatewayUrl(),
      shards: this.sharding.recommendedShards,
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: 86_400_000,
        max_concurrency: this.sharding.maxConcurrency,
      },
    };
  }

  private application(): APIApplication {
    const flags = APPLICATION_FLAGS;
    return {
      id: this.world.bot.id,
      name: this.world.bot.username,
      icon: null,
      description: '',
      summary: '',
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      team: null,
      flags,
      flags_new: String(flags),
      bot: this.world.bot,
    };
  }

  private user(id: string) {
    return this.world.users.get(id) ?? fail(discordErrors.unknownUser);
  }

  private guild(r: RestRequest) {
    return this.world.guilds.get(r.params.guild!) ?? fail(discordErrors.unknownGuild);
  }

  private channel(r: RestRequest) {
    return this.world.channels.get(r.params.channel!) ?? fail(discordErrors.unknownChannel);
  }

  private message(r: RestRequest): APIMessage {
    return (
      this.world.findMessage(this.channel(r).id, r.params.message!) ?? fail(discordErrors.unknownMessage)
    );
  }

  private commandScope(r: RestRequest): string {
    return r.params.guild ?? GLOBAL_COMMANDS;
  }

  private commandFrom(input: RESTPostAPIApplicationCommandsJSONBody, r: RestRequest): APIApplicationCommand {
    const type = input.type ?? ApplicationCommandType.ChatInput;
    const previous = this.world.commands
      .get(this.commandScope(r))
      ?.find((c) => c.name === input.name && c.type === type);
    return {
      ...input,
      id: previous?.id ?? nextSnowflake(),
      application_id: this.world.bot.id,
      ...(r.params.guild ? { guild_id: r.params.guild } : {}),
      type,
      description: 'description' in input ? input.description : '',
      default_member_permissions: input.default_member_permissions ?? null,
      version: nextSnowflake(),
    } as APIApplicationCommand;
  }

  /** PUT replaces the whole set; Discord keeps the id of a command whose name and type stay the same. */
  private putCommands(r: RestRequest): APIApplicationCommand[] {
    const commands = (r.body as RESTPostAPIApplicationCommandsJSONBody[]).map((input) =>
      this.commandFrom(input, r),
    );
    this.world.commands.set(this.commandScope(r), commands);
    return commands;
  }

  private postCommand(r: RestRequest): APIApplicationCommand {
    const command = this.commandFrom(r.body as RESTPostAPIApplicationCommandsJSONBody, r);
    const others = (this.world.commands.get(this.commandScope(r)) ?? []).filter((c) => c.id !== command.id);
    this.world.commands.set(this.commandScope(r), [...others, command]);
    return command;
  }

  private interactionCallback(r: RestRequest): RestResponse {
    const state = this.world.interactions.get(r.params.token!);
    if (!state || state.payload.id !== r.params.id) return discordErrors.unknownInteraction;
    if (state.acknowledged) return discordErrors.alreadyAcknowledged;
    const body = r.body as RESTPostAPIInteractionCallbackJSONBody;
    if (!ALLOWED_CALLBACKS[state.payload.type]?.includes(body.type)) return discordErrors.invalidFormBody;
    state.acknowledged = true;
    const message = this.applyCallback(state, body, r.files);
    if (r.query.get('with_response') !== 'true') return noContent();
    const result: RESTPostAPIInteractionCallbackWithResponseResult = {
      interaction: {
        id: state.payload.id,
        type: state.payload.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading:
                body.type === InteractionResponseType.DeferredChannelMessageWithSource,
              response_message_ephemeral: Boolean((message.flags ?? 0) & MessageFlags.Ephemeral),
            }
          : {}),
      },
      resource: { type: body.type, ...(message ? { message } : {}) },
    };
    return ok(result);
  }

  private applyCallback(
    state: InteractionState,
    body: RESTPostAPIInteractionCallbackJSONBody,
    files: UploadedFile[],
  ): APIMessage | undefined {
    const componentMessage = state.payload.message;
    switch (body.type) {
      case InteractionResponseType.ChannelMessageWithSource:
        return this.replyMessage(state, body.data ?? {}, files);
      case InteractionResponseType.DeferredChannelMessageWithSource:
        // The placeholder users see as "<bot> is thinking…" until the bot edits @original.
        return this.replyMessage(state, { flags: (body.data?.flags ?? 0) | MessageFlags.Loading }, []);
      case InteractionResponseType.DeferredMessageUpdate:
        state.originalMessageId = componentMessage?.id;
        return componentMessage && this.world.findMessage(componentMessage.channel_id, componentMessage.id);
      case InteractionResponseType.UpdateMessage: {
        state.originalMessageId = componentMessage?.id;
        const stored =
          componentMessage && this.world.findMessage(componentMessage.channel_id, componentMessage.id);
        return stored && this.world.editMessage(stored, body.data ?? {}, files);
      }
      default:
        return undefined;
    }
  }

  private replyMessage(state: InteractionState, data: MessageBody, files: UploadedFile[]): APIMessage {
    const interaction = state.payload;
    const message = this.world.postMessage(interaction.channel!.id, this.world.bot, data, files, {
      type:
        interaction.type === InteractionType.ApplicationCommand
          ? MessageType.ChatInputCommand
          : MessageType.Default,
      webhook_id: this.world.bot.id,
      application_id: this.world.bot.id,
      interaction_metadata: {
        id: interaction.id,
        type: interaction.type,
        user: interaction.member?.user ?? interaction.user!,
        authorizing_integration_owners: interaction.authorizing_integration_owners,
        ...(componentMessageId(state) ? { interacted_message_id: componentMessageId(state) } : {}),
      } as APIMessageInteractionMetadata,
    });
    state.originalMessageId ??= message.id;
    return message;
  }

  /** Follow-ups are only accepted once the interaction was answered (until then the webhook is unknown). */
  private followUp(r: RestRequest): RestResponse {
    const state = this.world.interactions.get(r.params.token!);
    if (!state?.acknowledged || r.params.app !== this.world.bot.id) return discordErrors.unknownWebhook;
    const message = this.replyMessage(state, r.body as MessageBody, r.files);
    return r.query.get('wait') === 'true' ? ok(message) : noContent();
  }

  private webhookMessage(r: RestRequest): APIMessage {
    const state = this.world.interactions.get(r.params.token!);
    if (!state?.acknowledged) return fail(discordErrors.unknownWebhook);
    const id = r.params.message === '@original' ? state.originalMessageId : r.params.message;
    const channelId = state.payload.channel!.id;
    return (id && this.world.findMessage(channelId, id)) || fail(discordErrors.unknownMessage);
  }

  private listMessages(r: RestRequest): APIMessage[] {
    const { before, after } = Object.fromEntries(r.query);
    const limit = Math.min(Number(r.query.get('limit') ?? 50), 100);
    const newestFirst = [...this.world.channelMessages(this.channel(r).id)].reverse();
    const window = newestFirst.filter(
      (m) => (!before || BigInt(m.id) < BigInt(before)) && (!after || BigInt(m.id) > BigInt(after)),
    );
    return after ? window.slice(-limit) : window.slice(0, limit);
  }

  private requireBotPermission(channelId: string, permission: bigint): void {
    const guild = this.world.guildOfChannel(channelId);
    const granted = guild ? this.world.channelPermissions(channelId, this.world.bot.id) : permission;
    if ((granted & permission) !== permission) fail(discordErrors.missingPermissions);
  }

  private createMessage(r: RestRequest): APIMessage {
    const channel = this.channel(r);
    this.requireBotPermission(channel.id, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages);
    return this.world.postMessage(channel.id, this.world.bot, r.body as MessageBody, r.files);
  }

  private editChannelMessage(r: RestRequest): APIMessage {
    const message = this.message(r);
    if (message.author.id !== this.world.bot.id) fail(discordErrors.cannotEditOthersMessage);
    return this.world.editMessage(message, r.body as MessageBody, r.files);
  }

  private deleteChannelMessage(r: RestRequest): RestResponse {
    const message = this.message(r);
    if (message.author.id !== this.world.bot.id) {
      this.requireBotPermission(message.channel_id, PermissionFlagsBits.ManageMessages);
    }
    this.world.deleteMessage(message.channel_id, message.id);
    return noContent();
  }

  /** `:emoji` is a unicode emoji or `name:id` for a custom one. */
  private react(r: RestRequest, add: boolean): RestResponse {
    const message = this.message(r);
    this.requireBotPermission(message.channel_id, PermissionFlagsBits.AddReactions);
    const [name = '', id = null] = r.params.emoji!.split(':');
    const reactions = (message.reactions ??= []);
    let reaction = reactions.find((x) => x.emoji.name === name && (x.emoji.id ?? null) === id);
    if (!reaction && add) {
      reaction = {
        count: 0,
        count_details: { burst: 0, normal: 0 },
        me: false,
        me_burst: false,
        emoji: { id, name },
        burst_colors: [],
      };
      reactions.push(reaction);
    }
    if (reaction && reaction.me !== add) {
      reaction.me = add;
      reaction.count += add ? 1 : -1;
      reaction.count_details.normal = reaction.count;
      if (reaction.count === 0) reactions.splice(reactions.indexOf(reaction), 1);
    }
    return noContent();
  }
}

function componentMessageId(state: InteractionState): string | undefined {
  return state.payload.type === InteractionType.MessageComponent ? state.payload.message.id : undefined;
}
