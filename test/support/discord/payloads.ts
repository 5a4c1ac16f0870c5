import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  MessageType,
  type APIAttachment,
  type APIGuild,
  type APIGuildMember,
  type APIMessage,
  type APIOverwrite,
  type APIRole,
  type APIUser,
  type GuildMemberFlags,
  type RoleFlags,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';

/** A channel as it appears in a guild (GUILD_CREATE, GET /channels/:id). */
export type GuildChannelPayload = GatewayGuildCreateDispatchData['channels'][number];

const DISCORD_EPOCH = 1_420_070_400_000n;
let lastSnowflake = 0n;

/** Snowflakes grow with time, so ids handed out later always sort later (as Discord's do). */
export function nextSnowflake(): string {
  const fromClock = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
  lastSnowflake = fromClock > lastSnowflake ? fromClock : lastSnowflake + 1n;
  return lastSnowflake.toString();
}

export interface UserInput {
  id?: string;
  username: string;
  globalName?: string;
  bot?: boolean;
}

export function userPayload(input: UserInput): APIUser {
  return {
    id: input.id ?? nextSnowflake(),
    username: input.username,
    global_name: input.globalName ?? null,
    discriminator: '0',
    avatar: null,
    ...(input.bot ? { bot: true } : {}),
  };
}

export interface RoleInput {
  id?: string;
  name: string;
  permissions: bigint | string;
  color?: number;
}

export function rolePayload(input: RoleInput, position: number, extra: Partial<APIRole> = {}): APIRole {
  const color = input.color ?? 0;
  return {
    id: input.id ?? nextSnowflake(),
    name: input.name,
    color,
    colors: { primary_color: color, secondary_color: null, tertiary_color: null },
    hoist: false,
    position,
    permissions: input.permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
    ...extra,
  };
}

export interface ChannelInput {
  id?: string;
  name: string;
  type?:
    | ChannelType.GuildText
    | ChannelType.GuildAnnouncement
    | ChannelType.GuildVoice
    | ChannelType.GuildCategory;
  parentId?: string;
  topic?: string;
  /** Allow and deny per role or member in this channel, e.g. to lock the bot out of it. */
  permissionOverwrites?: APIOverwrite[];
}

export function guildChannelPayload(
  guildId: string,
  input: ChannelInput,
  position: number,
): GuildChannelPayload {
  const base = {
    id: input.id ?? nextSnowflake(),
    guild_id: guildId,
    name: input.name,
    position,
    permission_overwrites: input.permissionOverwrites ?? [],
    parent_id: input.parentId ?? null,
    nsfw: false,
  };
  switch (input.type ?? ChannelType.GuildText) {
    case ChannelType.GuildCategory:
      return { ...base, parent_id: null, type: ChannelType.GuildCategory };
    case ChannelType.GuildVoice:
      return { ...base, type: ChannelType.GuildVoice, bitrate: 64_000, user_limit: 0, rtc_region: null };
    case ChannelType.GuildAnnouncement:
      return {
        ...base,
        type: ChannelType.GuildAnnouncement,
        topic: input.topic ?? null,
        last_message_id: null,
      };
    case ChannelType.GuildText:
      return {
        ...base,
        type: ChannelType.GuildText,
        topic: input.topic ?? null,
        last_message_id: null,
        rate_limit_per_user: 0,
      };
  }
}

export function memberPayload(user: APIUser, roles: string[], nick: string | null = null): APIGuildMember {
  return {
    user,
    nick,
    avatar: null,
    banner: null,
    roles,
    joined_at: new Date().toISOString(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
  };
}

export interface GuildShape {
  id: string;
  name: string;
  ownerId: string;
  roles: APIRole[];
}

export function guildPayload(guild: GuildShape): APIGuild {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: GuildVerificationLevel.Low,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.AllMembers,
    roles: guild.roles,
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: Locale.EnglishUS,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: GuildNSFWLevel.Default,
    hub_type: null,
    incidents_data: null,
  };
}

/** The fields a message create/edit body may carry (channel messages, interaction replies, follow-ups). */
export interface MessageBody {
  content?: string;
  embeds?: APIMessage['embeds'];
  components?: APIMessage['components'];
  flags?: number;
  tts?: boolean;
  attachments?: { id: string | number; filename?: string; description?: string }[];
  message_reference?: APIMessage['message_reference'];
  allowed_mentions?: unknown;
}

export function messagePayload(channelId: string, author: APIUser, fields: Partial<APIMessage>): APIMessage {
  return {
    id: nextSnowflake(),
    channel_id: channelId,
    author,
    content: '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: MessageType.Default,
    ...fields,
  };
}

/** A file kept by the fake CDN so the bot can download what a user attached. */
export interface StoredFile {
  attachment: APIAttachment;
  data: Buffer;
}

export interface AttachmentInput {
  filename: string;
  data: Buffer | string;
  contentType?: string;
  /** The `size` the attachment reports, when a test needs it to differ from the bytes served. */
  declaredSize?: number;
  /** How the CDN serves the bytes; at once with a Content-Length by default. */
  delivery?: CdnDelivery;
}

/**
 * `chunked`: no Content-Length, so only counting the bytes reveals the size; `stallAfterBytes`:
 * send that many bytes, then nothing until the connection closes.
 */
export interface CdnDelivery {
  chunked?: boolean;
  stallAfterBytes?: number;
}

export function attachmentPayload(
  id: string,
  filename: string,
  size: number,
  url: string,
  contentType?: string,
) {
  const attachment: APIAttachment = { id, filename, size, url, proxy_url: url };
  if (contentType) attachment.content_type = contentType;
  return attachment;
}
