import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandOption,
  type APIChatInputApplicationCommandInteraction,
  type APICommandAutocompleteInteractionResponseCallbackData,
  type APIInteraction,
  type APIInteractionDataResolved,
  type APIInteractionDataResolvedChannel,
  type APIInteractionResponseCallbackData,
  type APIMessage,
  type APIMessageComponentInteraction,
  type APIMessageSelectMenuInteractionData,
  type APIMessageTopLevelComponent,
  type APIModalInteractionResponseCallbackComponent,
  type APIModalInteractionResponseCallbackData,
  type APIModalSubmissionComponent,
  type APIModalSubmitInteraction,
  type APIUser,
  type InteractionResponseType,
  type RESTPatchAPIWebhookWithTokenMessageJSONBody,
  type RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord-api-types/v10';
import { nextSnowflake, type AttachmentInput } from './payloads.js';
import type { CallRecorder, RecordedCall } from './recorder.js';
import { EVERYONE_PERMISSIONS, GLOBAL_COMMANDS, type World } from './world.js';

export interface InteractionContext {
  channelId: string;
  /** The invoking user; in a guild channel they must have been added with `addMember`. */
  user: APIUser | string;
  locale?: Locale;
}

/**
 * An option's type comes from the registered command when the bot registered it, else from the
 * value: string, integer, number, boolean, or a file (attachment). Ids of users, channels and roles
 * are resolved from the world like Discord fills `resolved`. `{ type, value }` forces a type.
 */
export type OptionValue =
  | string
  | number
  | boolean
  | AttachmentInput
  | { type: ApplicationCommandOptionType; value: string | number | boolean };

export interface SlashCommandInput extends InteractionContext {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, OptionValue>;
  /** Merged over what the fake resolves itself. */
  resolved?: APIInteractionDataResolved;
}

export interface AutocompleteInput extends SlashCommandInput {
  /** The option the user is typing in. */
  focused: string;
}

export interface ButtonInput extends InteractionContext {
  customId: string;
  /** The message carrying the component: a stored message or its id in `channelId`. */
  message: APIMessage | string;
}

export interface SelectMenuInput extends ButtonInput {
  values: string[];
  componentType?:
    | ComponentType.StringSelect
    | ComponentType.UserSelect
    | ComponentType.RoleSelect
    | ComponentType.ChannelSelect
    | ComponentType.MentionableSelect;
}

export interface ModalSubmitInput extends InteractionContext {
  customId: string;
  /** Values by custom id, each inside a Label as current modals submit them: text, or string-select values. */
  fields: Record<string, string | string[]>;
  message?: APIMessage | string;
}

export type InteractionCallbackData = Omit<APIInteractionResponseCallbackData, 'components'> &
  Partial<Omit<APIModalInteractionResponseCallbackData, 'components'>> &
  APICommandAutocompleteInteractionResponseCallbackData & {
    components?: (APIMessageTopLevelComponent | APIModalInteractionResponseCallbackComponent)[];
  };

/** An interaction callback body; `data` is `{}` for callback types that carry none. */
export interface InteractionCallbackBody {
  type: InteractionResponseType;
  data: InteractionCallbackData;
}

/** What a test holds after a user interacted: awaits the bot's answers to that interaction. */
export class InteractionHandle {
  constructor(
    readonly payload: APIInteraction,
    private readonly recorder: CallRecorder,
    private readonly world: World,
  ) {}

  get id(): string {
    return this.payload.id;
  }

  get token(): string {
    return this.payload.token;
  }

  /** The bot's first callback (reply, defer, update, modal, autocomplete choices). */
  async reply(timeoutMs?: number): Promise<RecordedCall<InteractionCallbackBody>> {
    const callbackPath = `/interactions/${this.id}/${this.token}/callback`;
    const call = await this.recorder.waitForCall<Partial<InteractionCallbackBody>>(
      (c) => c.method === 'POST' && c.path === callbackPath,
      timeoutMs,
    );
    return { ...call, body: { type: call.body.type!, data: call.body.data ?? {} } };
  }

  /** The `index`-th follow-up message (0 = first). */
  followUp(index = 0, timeoutMs?: number): Promise<RecordedCall<RESTPostAPIWebhookWithTokenJSONBody>> {
    const path = `/webhooks/${this.payload.application_id}/${this.token}`;
    return this.recorder.waitForCall((c) => c.method === 'POST' && c.path === path, timeoutMs, index);
  }

  /** The `index`-th edit of `@original` (0 = first). */
  editReply(
    index = 0,
    timeoutMs?: number,
  ): Promise<RecordedCall<RESTPatchAPIWebhookWithTokenMessageJSONBody>> {
    const path = `/webhooks/${this.payload.application_id}/${this.token}/messages/@original`;
    return this.recorder.waitForCall((c) => c.method === 'PATCH' && c.path === path, timeoutMs, index);
  }

  /** Every REST call made so far with this interaction's token. */
  allResponses(): RecordedCall[] {
    return this.recorder.calls.filter((call) => call.path.split('/').includes(this.token));
  }

  /** The message `@original` shows now (after edits), if the bot answered with a message. */
  originalMessage(): APIMessage | undefined {
    const id = this.world.interactions.get(this.token)?.originalMessageId;
    return id === undefined ? undefined : this.world.findMessage(this.payload.channel!.id, id);
  }
}

/** Builds INTERACTION_CREATE payloads with every field discord.js 14 reads. */
export class InteractionPayloads {
  constructor(private readonly world: World) {}

  slashCommand(input: SlashCommandInput): APIChatInputApplicationCommandInteraction {
    return this.command(
      input,
      InteractionType.ApplicationCommand,
    ) as APIChatInputApplicationCommandInteraction;
  }

  autocomplete(input: AutocompleteInput): APIInteraction {
    return this.command(input, InteractionType.ApplicationCommandAutocomplete, input.focused);
  }

  button(input: ButtonInput): APIMessageComponentInteraction {
    return this.component(input, { custom_id: input.customId, component_type: ComponentType.Button });
  }

  /**
   * A choice in a select menu. For user, role, mentionable and channel selects the message must carry
   * that menu (Discord renders nothing else to pick from) and `values` must fit its min and max; the
   * channel types it allows are not enforced, so a test can send what a crafted request could.
   */
  selectMenu(input: SelectMenuInput): APIMessageComponentInteraction {
    const componentType = input.componentType ?? ComponentType.StringSelect;
    if (componentType !== ComponentType.StringSelect) {
      const message = this.storedMessage(input.channelId, input.message);
      requireSelectMenu(message, input.customId, componentType, input.values.length);
    }
    return this.component(input, this.selectData(input, componentType));
  }

  /** `data` as discord-api-types/v10 types it: `resolved` is always there for auto-populated selects. */
  private selectData(
    input: SelectMenuInput,
    componentType: NonNullable<SelectMenuInput['componentType']>,
  ): APIMessageSelectMenuInteractionData {
    const { customId: custom_id, values } = input;
    const resolve = (kind: ResolvedKind) =>
      this.resolveIds(input.channelId, values, kind, {}, this.world.user(input.user).id);
    switch (componentType) {
      case ComponentType.StringSelect:
        return { component_type: componentType, custom_id, values };
      case ComponentType.ChannelSelect: {
        const { channels = {} } = resolve('channel');
        return { component_type: componentType, custom_id, values, resolved: { channels } };
      }
      case ComponentType.RoleSelect: {
        const { roles = {} } = resolve('role');
        return { component_type: componentType, custom_id, values, resolved: { roles } };
      }
      case ComponentType.UserSelect: {
        const { users = {}, members } = resolve('user');
        return { component_type: componentType, custom_id, values, resolved: { users, members } };
      }
      case ComponentType.MentionableSelect: {
        const { users, members, roles } = resolve('mentionable');
        return { component_type: componentType, custom_id, values, resolved: { users, members, roles } };
      }
    }
  }

  modalSubmit(input: ModalSubmitInput): APIModalSubmitInteraction {
    const components = Object.entries(input.fields).map(([customId, value]): APIModalSubmissionComponent => ({
      type: ComponentType.Label,
      component:
        typeof value === 'string'
          ? { type: ComponentType.TextInput, custom_id: customId, value }
          : { type: ComponentType.StringSelect, custom_id: customId, values: value },
    }));
    const message =
      input.message === undefined ? undefined : this.storedMessage(input.channelId, input.message);
    return {
      ...this.base(input),
      type: InteractionType.ModalSubmit,
      data: { custom_id: input.customId, components },
      ...(message ? { message } : {}),
    } as APIModalSubmitInteraction;
  }

  private base(context: InteractionContext) {
    const { bot } = this.world;
    const channel = this.world.channel(context.channelId);
    const user = this.world.user(context.user);
    const guild = this.world.guildOfChannel(channel.id);
    const id = nextSnowflake();
    const common = {
      id,
      application_id: bot.id,
      token: `local-interaction-token-${id}`,
      version: 1 as const,
      channel,
      channel_id: channel.id,
      locale: context.locale ?? Locale.EnglishUS,
      entitlements: [],
      attachment_size_limit: 10 * 1024 * 1024,
      // A guild-installed app invoked in its DM is owned by guild "0", as Discord reports it.
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guild?.id ?? '0' },
      context: guild ? InteractionContextType.Guild : InteractionContextType.BotDM,
      app_permissions: String(guild ? this.world.permissions(guild.id, bot.id) : EVERYONE_PERMISSIONS),
    };
    if (!guild) return { ...common, user };
    const member = this.world.member(guild.id, user.id);
    return {
      ...common,
      guild_id: guild.id,
      guild: { id: guild.id, locale: Locale.EnglishUS, features: [] },
      guild_locale: Locale.EnglishUS,
      member: { ...member, user, permissions: String(this.world.permissions(guild.id, user.id)) },
    };
  }

  private command(input: SlashCommandInput, type: InteractionType, focused?: string): APIInteraction {
    const guildId = this.world.guildOfChannel(input.channelId)?.id;
    const command = [
      ...(this.world.commands.get(guildId ?? '') ?? []),
      ...(this.world.commands.get(GLOBAL_COMMANDS) ?? []),
    ].find((c) => c.name === input.name && c.type === ApplicationCommandType.ChatInput);
    let declared = command?.options;
    for (const level of [input.subcommandGroup, input.subcommand]) {
      const parent = level === undefined ? undefined : declared?.find((o) => o.name === level);
      if (parent) declared = 'options' in parent ? (parent.options as APIApplicationCommandOption[]) : [];
    }
    const resolved: APIInteractionDataResolved = {};
    let options: APIApplicationCommandInteractionDataOption[] = Object.entries(input.options ?? {}).map(
      ([name, value]) => {
        const declaredType = declared?.find((o) => o.name === name)?.type;
        return this.option(input.channelId, name, value, declaredType, resolved, name === focused);
      },
    );
    if (input.subcommand) {
      options = [
        { type: ApplicationCommandOptionType.Subcommand, name: input.subcommand, options },
      ] as typeof options;
    }
    if (input.subcommandGroup) {
      options = [
        { type: ApplicationCommandOptionType.SubcommandGroup, name: input.subcommandGroup, options },
      ] as typeof options;
    }
    return {
      ...this.base(input),
      type,
      data: {
        id: command?.id ?? nextSnowflake(),
        name: input.name,
        type: ApplicationCommandType.ChatInput,
        ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
        options,
        resolved: mergeResolved(resolved, input.resolved),
      },
    } as APIInteraction;
  }

  private option(
    channelId: string,
    name: string,
    value: OptionValue,
    declaredType: ApplicationCommandOptionType | undefined,
    resolved: APIInteractionDataResolved,
    focused: boolean,
  ): APIApplicationCommandInteractionDataBasicOption {
    if (typeof value === 'object' && 'filename' in value) {
      const attachment = this.world.storeFile(channelId, value);
      (resolved.attachments ??= {})[attachment.id] = attachment;
      return { name, type: ApplicationCommandOptionType.Attachment, value: attachment.id };
    }
    const raw = typeof value === 'object' ? value.value : value;
    const type = (typeof value === 'object' ? value.type : undefined) ?? declaredType ?? inferOptionType(raw);
    this.resolveIds(channelId, [String(raw)], RESOLVED_BY_OPTION[type], resolved);
    return {
      name,
      type,
      value: raw,
      ...(focused ? { focused: true } : {}),
    } as APIApplicationCommandInteractionDataBasicOption;
  }

  /** Adds what Discord puts in `resolved` for ids chosen in an option or a select menu. */
  private resolveIds(
    channelId: string,
    ids: string[],
    kind: ResolvedKind | undefined,
    into: APIInteractionDataResolved,
    invokerId?: string,
  ): APIInteractionDataResolved {
    const guild = this.world.guildOfChannel(channelId);
    for (const id of ids) {
      const user = kind === 'user' || kind === 'mentionable' ? this.world.users.get(id) : undefined;
      const member = user && guild?.members.get(id)?.member;
      const role = kind === 'role' || kind === 'mentionable' ? guild?.roles.get(id) : undefined;
      const channel = kind === 'channel' ? this.world.channels.get(id) : undefined;
      if (user) (into.users ??= {})[id] = user;
      if (member && guild) {
        const { user: _user, ...rest } = member;
        (into.members ??= {})[id] = { ...rest, permissions: String(this.world.permissions(guild.id, id)) };
      }
      if (role) (into.roles ??= {})[id] = role;
      if (channel) {
        // Discord sends the invoking member's permissions in that channel.
        const permissions =
          invokerId && guild ? this.world.channelPermissions(id, invokerId) : EVERYONE_PERMISSIONS;
        const resolvedChannel = {
          id,
          type: channel.type,
          name: channel.name ?? '',
          permissions: String(permissions),
        };
        (into.channels ??= {})[id] = resolvedChannel as APIInteractionDataResolvedChannel;
      }
    }
    return into;
  }

  private component(input: ButtonInput, data: object): APIMessageComponentInteraction {
    const message = this.storedMessage(input.channelId, input.message);
    return {
      ...this.base(input),
      type: InteractionType.MessageComponent,
      data,
      message,
    } as APIMessageComponentInteraction;
  }

  /** Components live on messages; a message given by the test joins the channel so updates apply to it. */
  private storedMessage(channelId: string, message: APIMessage | string): APIMessage {
    const id = typeof message === 'string' ? message : message.id;
    const stored = this.world.findMessage(channelId, id);
    if (stored) return stored;
    if (typeof message === 'string')
      throw new Error(`local Discord: no message ${id} in channel ${channelId}`);
    this.world.channelMessages(channelId).push(message);
    return message;
  }
}

type ResolvedKind = 'user' | 'role' | 'mentionable' | 'channel';
const RESOLVED_BY_OPTION: Partial<Record<ApplicationCommandOptionType, ResolvedKind>> = {
  [ApplicationCommandOptionType.User]: 'user',
  [ApplicationCommandOptionType.Role]: 'role',
  [ApplicationCommandOptionType.Mentionable]: 'mentionable',
  [ApplicationCommandOptionType.Channel]: 'channel',
};

/** Throws when the message has no select of that type and custom id, or `count` values do not fit it. */
function requireSelectMenu(message: APIMessage, customId: string, type: ComponentType, count: number): void {
  const menu = (message.components ?? [])
    .flatMap((row): { type: ComponentType; custom_id?: string }[] =>
      'components' in row ? row.components : [],
    )
    .find((c) => c.custom_id === customId);
  if (!menu || menu.type !== type) {
    throw new Error(
      `local Discord: message ${message.id} carries no ${ComponentType[type]} with custom id ${customId}`,
    );
  }
  const { min_values: min = 1, max_values: max = 1 } = menu as { min_values?: number; max_values?: number };
  if (count < min || count > max) {
    throw new Error(`local Discord: ${customId} takes ${min} to ${max} values, not ${count}`);
  }
}

function inferOptionType(value: string | number | boolean): ApplicationCommandOptionType {
  if (typeof value === 'boolean') return ApplicationCommandOptionType.Boolean;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? ApplicationCommandOptionType.Integer
      : ApplicationCommandOptionType.Number;
  }
  return ApplicationCommandOptionType.String;
}

function mergeResolved(
  auto: APIInteractionDataResolved,
  given: APIInteractionDataResolved = {},
): APIInteractionDataResolved {
  const merged = { ...auto };
  for (const key of ['users', 'members', 'roles', 'channels', 'attachments'] as const) {
    if (given[key]) Object.assign(merged, { [key]: { ...auto[key], ...given[key] } });
  }
  return merged;
}
