export { startClient } from './client.js';
export { apiError, discordErrors, rateLimited } from './discord-errors.js';
export { shardOfGuild, type DispatchData, type SessionStart } from './gateway.js';
export type {
  AutocompleteInput,
  ButtonInput,
  InteractionCallbackBody,
  InteractionHandle,
  ModalSubmitInput,
  OptionValue,
  SelectMenuInput,
  SlashCommandInput,
} from './interactions.js';
export {
  LocalDiscord,
  startLocalDiscord,
  type LocalDiscordOptions,
  type UserMessageInput,
} from './local-discord.js';
export type { AttachmentInput, CdnDelivery, ChannelInput, RoleInput, UserInput } from './payloads.js';
export type { RecordedCall } from './recorder.js';
export { installUnhandledRejectionGuard } from './rejection-guard.js';
export type { RestResponse } from './rest-routes.js';
export type { GuildInput, MemberInput, UploadedFile } from './world.js';
