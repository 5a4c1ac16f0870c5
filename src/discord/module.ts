import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChannelSelectMenuInteraction,
  ChatInputCommandInteraction,
  Client,
  Message,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RoleSelectMenuInteraction,
  SlashCommandSubcommandBuilder,
  StringSelectMenuInteraction,
} from 'discord.js';
import type { Config } from '../config.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/connect.js';
import type { QueueEvents } from './queue-events.js';

/** What every feature module receives: the adapters it may use. */
export interface BotContext {
  client: Client;
  database: Database;
  config: Config;
  logger: Logger;
  queueEvents: QueueEvents;
  /** Periodic jobs: `ctx.scheduler.add(job, scope)` runs one until the module stops. */
  scheduler: Scheduler;
  /** Every command the loaded modules offer, as registered with Discord, and who may use it. */
  commandGuide(): CommandGuideEntry[];
}

/** Who may run a command or press a button; checked at run time by the registry. */
export type Access = 'everyone' | 'reviewer' | 'admin';

/** One thing a member can type, with the description Discord shows: `/queue`, `/admin embed create`. */
export interface CommandGuideEntry {
  usage: string;
  description: string;
  access: Access;
}

export type GuildCommandInteraction = ChatInputCommandInteraction<'cached'>;
export type ComponentInteraction =
  | ButtonInteraction<'cached'>
  | ModalSubmitInteraction<'cached'>
  | StringSelectMenuInteraction<'cached'>
  | ChannelSelectMenuInteraction<'cached'>
  | RoleSelectMenuInteraction<'cached'>;

export interface SlashCommand {
  /** The command's shape, as built by discord.js's SlashCommandBuilder. */
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  access: Access;
  execute(interaction: GuildCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction<'cached'>, ctx: BotContext): Promise<void>;
}

/**
 * A subcommand of `/admin`, contributed by any module: `/admin <name>` or `/admin <group> <name>`.
 * The registry assembles one `/admin` command from all modules (Discord allows one per name).
 */
export interface AdminSubcommand {
  group?: { name: string; description: string };
  name: string;
  description: string;
  options?(builder: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder;
  execute(interaction: GuildCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction<'cached'>, ctx: BotContext): Promise<void>;
}

/**
 * Buttons, select menus and modals, routed by custom id `<prefix>:<arg>:<arg>…`. Custom ids carry
 * everything needed, so components keep working after a restart.
 */
export interface ComponentHandler {
  prefix: string;
  access: Access;
  handle(interaction: ComponentInteraction, args: string[], ctx: BotContext): Promise<void>;
}

export type MessageListener = (message: Message<true>, ctx: BotContext) => Promise<void>;

/** Timers owned by a module: cancelled when it stops or is reloaded. */
export interface ModuleScope {
  setInterval(fn: () => void, ms: number): void;
  setTimeout(fn: () => void, ms: number): void;
  onStop(fn: () => void | Promise<void>): void;
}

/** A feature module (the seed's "cog"): its commands, handlers, listeners and lifecycle. */
export interface BotModule {
  name: string;
  commands?: SlashCommand[];
  adminSubcommands?: AdminSubcommand[];
  components?: ComponentHandler[];
  messageListeners?: MessageListener[];
  start?(ctx: BotContext, scope: ModuleScope): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** Modules are created by factories so a reload starts from fresh state. */
export type ModuleFactory = () => BotModule;
