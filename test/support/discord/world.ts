import {
  ChannelType,
  GatewayIntentBits,
  MessageFlags,
  MessageType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIAttachment,
  type APIDMChannel,
  type APIGuildMember,
  type APIInteraction,
  type APIMessage,
  type APIRole,
  type APIUser,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import {
  attachmentPayload,
  guildChannelPayload,
  guildPayload,
  memberPayload,
  messagePayload,
  nextSnowflake,
  rolePayload,
  userPayload,
  type AttachmentInput,
  type CdnDelivery,
  type ChannelInput,
  type GuildChannelPayload,
  type MessageBody,
  type RoleInput,
  type UserInput,
} from './payloads.js';

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

const P = PermissionFlagsBits;
/** Roughly what @everyone may do in a new Discord server. */
export const EVERYONE_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.ReadMessageHistory |
  P.AddReactions |
  P.EmbedLinks |
  P.AttachFiles |
  P.UseExternalEmojis |
  P.UseApplicationCommands |
  P.Connect |
  P.Speak;
/** What a bot typically gets from its invite link: enough to post, edit, react and manage its messages. */
export const BOT_PERMISSIONS = EVERYONE_PERMISSIONS | P.ManageMessages | P.SendMessagesInThreads;

/** The key of global application commands in `World.commands`. */
export const GLOBAL_COMMANDS = 'global';

export interface GuildInput {
  id?: string;
  name: string;
  ownerId: string;
  /** The permissions of the bot's managed role. */
  botPermissions?: bigint;
}

export interface MemberInput {
  user: APIUser | UserInput;
  roles?: string[];
  nick?: string;
  /** Overrides the permissions computed from roles (what Discord sends as `member.permissions`). */
  permissions?: bigint;
}

export interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, APIRole>;
  members: Map<string, { member: APIGuildMember; permissions?: bigint }>;
}

export type ChannelPayload = GuildChannelPayload | APIDMChannel;

/** A file received in a multipart body: `files[index]`. */
export interface UploadedFile {
  index: number;
  name: string;
  data: Buffer;
  contentType: string;
}

export interface InteractionState {
  payload: APIInteraction;
  acknowledged: boolean;
  /** The message `@original` points at once the interaction was answered. */
  originalMessageId?: string;
}

/** Everything the fake Discord knows: users, guilds, channels, messages, commands, interactions, files. */
export class World {
  readonly bot: APIUser;
  readonly users = new Map<string, APIUser>();
  readonly guilds = new Map<string, GuildState>();
  readonly channels = new Map<string, ChannelPayload>();
  readonly messages = new Map<string, APIMessage[]>();
  /** Registered application commands by guild id; global ones under `GLOBAL_COMMANDS`. */
  readonly commands = new Map<string, APIApplicationCommand[]>();
  readonly interactions = new Map<string, InteractionState>();
  readonly files = new Map<string, { attachment: APIAttachment; data: Buffer; delivery: CdnDelivery }>();
  cdnUrl = '';

  constructor(botName: string) {
    this.bot = this.addUser({ username: botName, bot: true });
  }

  addUser(input: UserInput): APIUser {
    const user = userPayload(input);
    this.users.set(user.id, user);
    return user;
  }

  addGuild(input: GuildInput): GuildState {
    const id = input.id ?? nextSnowflake();
    const everyone = rolePayload({ id, name: '@everyone', permissions: EVERYONE_PERMISSIONS }, 0);
    const botRole = rolePayload(
      { name: this.bot.username, permissions: input.botPermissions ?? BOT_PERMISSIONS },
      1,
      {
        managed: true,
        tags: { bot_id: this.bot.id },
      },
    );
    const guild: GuildState = {
      id,
      name: input.name,
      ownerId: input.ownerId,
      roles: new Map([everyone, botRole].map((role) => [role.id, role])),
      members: new Map(),
    };
    this.guilds.set(id, guild);
    this.addMember(id, { user: this.bot, roles: [botRole.id] });
    return guild;
  }

  addChannel(guildId: string, input: ChannelInput): GuildChannelPayload {
    const position = [...this.channels.values()].filter(
      (c) => 'guild_id' in c && c.guild_id === guildId,
    ).length;
    const channel = guildChannelPayload(this.guild(guildId).id, input, position);
    this.channels.set(channel.id, channel);
    return channel;
  }

  addRole(guildId: string, input: RoleInput): APIRole {
    const guild = this.guild(guildId);
    const role = rolePayload(input, guild.roles.size);
    guild.roles.set(role.id, role);
    return role;
  }

  addMember(guildId: string, input: MemberInput): APIGuildMember {
    const user = 'discriminator' in input.user ? this.user(input.user) : this.addUser(input.user);
    const member = memberPayload(user, input.roles ?? [], input.nick ?? null);
    this.guild(guildId).members.set(user.id, { member, permissions: input.permissions });
    return member;
  }

  /** A known user by id, or a user payload made elsewhere, which becomes known. */
  user(ref: APIUser | string): APIUser {
    const id = typeof ref === 'string' ? ref : ref.id;
    const known = this.users.get(id);
    if (known) return known;
    if (typeof ref === 'string') throw new Error(`local Discord: no user ${id}; add it with addUser()`);
    this.users.set(id, ref);
    return ref;
  }

  guild(guildId: string): GuildState {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`local Discord: no guild ${guildId}; add it with addGuild()`);
    return guild;
  }

  channel(channelId: string): ChannelPayload {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`local Discord: no channel ${channelId}; add it with addChannel()`);
    return channel;
  }

  guildOfChannel(channelId: string): GuildState | undefined {
    const channel = this.channel(channelId);
    return 'guild_id' in channel && channel.guild_id ? this.guild(channel.guild_id) : undefined;
  }

  member(guildId: string, userId: string): APIGuildMember {
    const entry = this.guild(guildId).members.get(userId);
    if (!entry)
      throw new Error(`local Discord: user ${userId} is not a member of guild ${guildId}; use addMember()`);
    return entry.member;
  }

  /** Guild-wide permissions as Discord computes them (channel overwrites are not modelled). */
  permissions(guildId: string, userId: string): bigint {
    const guild = this.guild(guildId);
    const entry = guild.members.get(userId);
    if (entry?.permissions !== undefined) return entry.permissions;
    if (guild.ownerId === userId) return ALL_PERMISSIONS;
    const roleIds = [guild.id, ...(entry?.member.roles ?? [])];
    const granted = roleIds.reduce((all, id) => all | BigInt(guild.roles.get(id)?.permissions ?? 0), 0n);
    return granted & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : granted;
  }

  /**
   * Permissions in one channel, as Discord computes them: the guild-wide ones, then the channel's
   * overwrites for @everyone, for the member's roles together, then for the member.
   */
  channelPermissions(channelId: string, userId: string): bigint {
    const channel = this.channel(channelId);
    const guild = this.guildOfChannel(channelId);
    if (!guild) return ALL_PERMISSIONS;
    const base = this.permissions(guild.id, userId);
    if (base & PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;
    const overwrites = 'permission_overwrites' in channel ? (channel.permission_overwrites ?? []) : [];
    const roles = new Set(guild.members.get(userId)?.member.roles ?? []);
    const apply = (granted: bigint, matching: typeof overwrites) => {
      const deny = matching.reduce((all, o) => all | BigInt(o.deny), 0n);
      const allow = matching.reduce((all, o) => all | BigInt(o.allow), 0n);
      return (granted & ~deny) | allow;
    };
    let granted = apply(
      base,
      overwrites.filter((o) => o.id === guild.id),
    );
    granted = apply(
      granted,
      overwrites.filter((o) => o.id !== guild.id && roles.has(o.id)),
    );
    return apply(
      granted,
      overwrites.filter((o) => o.id === userId),
    );
  }

  /**
   * Discord sends only the bot's own member (plus voice members) in GUILD_CREATE unless the
   * connection has the presence intent; a bot must not expect other members in its cache.
   */
  guildCreatePayload(guild: GuildState, intents: number): GatewayGuildCreateDispatchData {
    const members = [...guild.members.values()].map((entry) => entry.member);
    const visibleMembers =
      intents & GatewayIntentBits.GuildPresences ? members : members.filter((m) => m.user.id === this.bot.id);
    return {
      ...guildPayload({
        id: guild.id,
        name: guild.name,
        ownerId: guild.ownerId,
        roles: [...guild.roles.values()],
      }),
      joined_at: this.member(guild.id, this.bot.id).joined_at ?? new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      voice_states: [],
      members: visibleMembers,
      channels: [...this.channels.values()].filter(
        (c): c is GuildChannelPayload => 'guild_id' in c && c.guild_id === guild.id,
      ),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  openDm(user: APIUser): APIDMChannel {
    const existing = [...this.channels.values()].find(
      (c): c is APIDMChannel => c.type === ChannelType.DM && c.recipients?.[0]?.id === user.id,
    );
    if (existing) return existing;
    const channel: APIDMChannel = {
      id: nextSnowflake(),
      type: ChannelType.DM,
      name: null,
      recipients: [user],
      last_message_id: null,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  channelMessages(channelId: string): APIMessage[] {
    let messages = this.messages.get(channelId);
    if (!messages) this.messages.set(channelId, (messages = []));
    return messages;
  }

  findMessage(channelId: string, messageId: string): APIMessage | undefined {
    return this.messages.get(channelId)?.find((m) => m.id === messageId);
  }

  deleteMessage(channelId: string, messageId: string): void {
    const messages = this.channelMessages(channelId);
    const index = messages.findIndex((m) => m.id === messageId);
    if (index >= 0) messages.splice(index, 1);
  }

  /** Keeps a file on the fake CDN so the bot can download it from the attachment's `url`. */
  storeFile(channelId: string, input: AttachmentInput): APIAttachment {
    const id = nextSnowflake();
    const data = typeof input.data === 'string' ? Buffer.from(input.data) : input.data;
    const url = `${this.cdnUrl}/attachments/${channelId}/${id}/${encodeURIComponent(input.filename)}`;
    const size = input.declaredSize ?? data.length;
    const attachment = attachmentPayload(id, input.filename, size, url, input.contentType);
    this.files.set(id, { attachment, data, delivery: input.delivery ?? {} });
    return attachment;
  }

  postMessage(
    channelId: string,
    author: APIUser,
    body: MessageBody,
    files: UploadedFile[],
    extra: Partial<APIMessage> = {},
  ): APIMessage {
    const message = messagePayload(channelId, author, {
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      ...(body.flags ? { flags: body.flags } : {}),
      tts: body.tts ?? false,
      attachments: this.attachmentsFor(channelId, body, files, []),
      ...(body.message_reference
        ? { message_reference: body.message_reference, type: MessageType.Reply }
        : {}),
      ...extra,
    });
    this.channelMessages(channelId).push(message);
    return message;
  }

  /** Applies an edit as Discord does: given fields replace, `attachments` lists what to keep plus new files. */
  editMessage(message: APIMessage, body: MessageBody, files: UploadedFile[]): APIMessage {
    if (body.content !== undefined) message.content = body.content ?? '';
    if (body.embeds !== undefined) message.embeds = body.embeds ?? [];
    if (body.components !== undefined) message.components = body.components ?? [];
    if (body.attachments !== undefined || files.length > 0) {
      message.attachments = this.attachmentsFor(message.channel_id, body, files, message.attachments);
    }
    // Editing a deferred reply replaces the "is thinking…" placeholder.
    const ephemeral = (message.flags ?? 0) & MessageFlags.Ephemeral;
    message.flags = ((body.flags ?? message.flags ?? 0) & ~MessageFlags.Loading) | ephemeral;
    message.edited_timestamp = new Date().toISOString();
    return message;
  }

  private attachmentsFor(
    channelId: string,
    body: MessageBody,
    files: UploadedFile[],
    current: APIAttachment[],
  ): APIAttachment[] {
    const wanted = body.attachments ?? [...current, ...files.map((file) => ({ id: file.index }))];
    return wanted.flatMap((spec) => {
      const file = files.find((f) => String(f.index) === String(spec.id));
      if (file) {
        const filename = ('filename' in spec && spec.filename) || file.name;
        return [this.storeFile(channelId, { filename, data: file.data, contentType: file.contentType })];
      }
      return current.filter((a) => a.id === String(spec.id));
    });
  }
}
