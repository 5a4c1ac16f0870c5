import {
  ApplicationCommandOptionType,
  Events,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  SlashCommandSubcommandBuilder,
  type AutocompleteInteraction,
  type Interaction,
  type Message,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { UserFacingError } from '../domain/errors.js';
import { getGuildConfig } from '../storage/guild-config-repo.js';
import { answerFailure } from './errors.js';
import { ModuleCode, type NewestCode } from './module-code.js';
import type {
  Access,
  AdminSubcommand,
  BotContext,
  BotModule,
  CommandGuideEntry,
  ComponentHandler,
  ModuleFactory,
  ModuleScope,
  SlashCommand,
} from './module.js';
import { assertAccess } from './preconditions.js';
import { replyPrivately } from './replies.js';

interface LoadedModule {
  module: BotModule;
  timers: Set<NodeJS.Timeout>;
  stopHooks: (() => void | Promise<void>)[];
}

/** What a reload started: the module's new code, its unchanged code, or loaded code and why. */
export type ReloadResult = Exclude<NewestCode, { kind: 'new' }> | { kind: 'new' };

/**
 * Loads feature modules, routes Discord events to them, registers their slash commands, and can
 * reload one module at run time (its timers are cancelled, its state starts afresh, and from the
 * build its changed files are loaded anew).
 */
export class ModuleRegistry {
  private readonly loaded = new Map<string, LoadedModule>();
  /** Each module's factory from the code now running (a reload with new code replaces it). */
  private readonly factories: Map<string, ModuleFactory>;
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: BotContext,
    factories: ReadonlyMap<string, ModuleFactory>,
    private readonly code: ModuleCode = new ModuleCode(new Map()),
  ) {
    this.factories = new Map(factories);
  }

  get moduleNames(): string[] {
    return [...this.factories.keys()];
  }

  isLoaded(name: string): boolean {
    return this.loaded.has(name);
  }

  async loadAll(): Promise<void> {
    await this.code.noteStartedCode();
    for (const name of this.factories.keys()) await this.load(name);
  }

  async load(name: string, factory = this.factories.get(name)): Promise<void> {
    if (!factory) throw new UserFacingError('not_found', `There is no module called ${name}.`);
    if (this.loaded.has(name)) return;
    const entry: LoadedModule = { module: factory(), timers: new Set(), stopHooks: [] };
    const scope: ModuleScope = {
      setInterval: (fn, ms) => void entry.timers.add(setInterval(fn, ms)),
      setTimeout: (fn, ms) => {
        const timer = setTimeout(() => {
          entry.timers.delete(timer);
          fn();
        }, ms);
        entry.timers.add(timer);
      },
      onStop: (fn) => void entry.stopHooks.push(fn),
    };
    this.loaded.set(name, entry);
    await entry.module.start?.(this.ctx, scope);
    this.ctx.logger.debug({ module: name }, 'module loaded');
  }

  async unload(name: string): Promise<void> {
    const entry = this.loaded.get(name);
    if (!entry) return;
    this.loaded.delete(name);
    for (const timer of entry.timers) clearTimeout(timer);
    entry.timers.clear();
    for (const hook of entry.stopHooks.reverse()) await hook();
    await entry.module.stop?.();
    this.ctx.logger.debug({ module: name }, 'module unloaded');
  }

  /**
   * Stops the module and starts it again, from its new code when its files changed (in the build).
   * New code that fails to import leaves the running version alone; a new version that fails to
   * start is stopped and the previous version started again. Either way the admin is told in plain
   * words and the error goes to the log.
   */
  reload(name: string): Promise<ReloadResult> {
    // One reload at a time: a second one would stop a version still starting, whose start then
    // goes on to leave timers and connections nobody stops.
    const reloaded = this.reloading.then(() => this.reloadNow(name));
    this.reloading = reloaded.catch(() => {});
    return reloaded;
  }

  private async reloadNow(name: string): Promise<ReloadResult> {
    const previous = this.factories.get(name);
    if (!previous) throw new UserFacingError('not_found', `There is no module called ${name}.`);
    let newest: NewestCode;
    try {
      newest = await this.code.newest(name);
    } catch (error) {
      this.ctx.logger.error(
        { err: error, module: name },
        'new module code failed to load; the running version stays',
      );
      throw new UserFacingError(
        'reload_failed',
        `The ${name} module was not reloaded: its new code has a mistake and could not be loaded. The version already running stays on; the bot's logs say what is wrong.`,
      );
    }
    const next = newest.kind === 'new' ? newest.factory : previous;
    await this.unload(name);
    try {
      await this.load(name, next);
    } catch (error) {
      this.ctx.logger.error(
        { err: error, module: name },
        'reloaded module failed to start; starting the previous version again',
      );
      await this.unload(name).catch((stopError: unknown) =>
        this.ctx.logger.warn({ err: stopError, module: name }, 'stopping the failed module version failed'),
      );
      await this.load(name, previous);
      throw new UserFacingError(
        'reload_failed',
        `The ${name} module was not reloaded: its new version failed to start, so the previous version is running again. The bot's logs say what went wrong.`,
      );
    }
    if (newest.kind === 'new') {
      this.factories.set(name, newest.factory);
      this.code.adopt(name, newest.version);
    }
    const result: ReloadResult = newest.kind === 'new' ? { kind: 'new' } : newest;
    this.ctx.logger.info({ module: name, ...result }, 'module reloaded');
    return result;
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.loaded.keys()].reverse()) await this.unload(name);
  }

  /** Timers a module holds right now (tests assert none survive an unload). */
  activeTimers(name: string): number {
    return this.loaded.get(name)?.timers.size ?? 0;
  }

  private get modules(): BotModule[] {
    return [...this.loaded.values()].map((e) => e.module);
  }

  private get commands(): SlashCommand[] {
    return this.modules.flatMap((m) => m.commands ?? []);
  }

  private get adminSubcommands(): AdminSubcommand[] {
    return [...this.modules.flatMap((m) => m.adminSubcommands ?? []), this.reloadSubcommand()];
  }

  private get components(): ComponentHandler[] {
    return this.modules.flatMap((m) => m.components ?? []);
  }

  /** Every command payload, with one `/admin` assembled from all modules' admin subcommands. */
  commandPayloads(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
    const admin = new SlashCommandBuilder()
      .setName('admin')
      .setDescription('Server settings and moderation of the review queue')
      .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
      .setContexts(InteractionContextType.Guild);
    const groups = new Map<string, { description: string; subs: AdminSubcommand[] }>();
    for (const sub of this.adminSubcommands) {
      if (!sub.group) {
        admin.addSubcommand((b) => buildSubcommand(b, sub));
        continue;
      }
      const group = groups.get(sub.group.name) ?? { description: sub.group.description, subs: [] };
      group.subs.push(sub);
      groups.set(sub.group.name, group);
    }
    for (const [name, group] of groups) {
      admin.addSubcommandGroup((g) => {
        g.setName(name).setDescription(group.description);
        for (const sub of group.subs) g.addSubcommand((b) => buildSubcommand(b, sub));
        return g;
      });
    }
    return [...this.commands.map((c) => c.data), admin.toJSON()];
  }

  /** Every command and subcommand as registered, with who may use it: what /help lists. */
  commandGuide(): CommandGuideEntry[] {
    return this.commandPayloads().flatMap((payload) => {
      const access: Access =
        payload.name === 'admin'
          ? 'admin'
          : (this.commands.find((c) => c.data.name === payload.name)?.access ?? 'everyone');
      return usagesOf(payload).map((usage) => ({ ...usage, access }));
    });
  }

  /** Registers commands globally, or in one guild when developing (instant updates). */
  async registerCommands(devGuildId?: string): Promise<void> {
    const application = this.ctx.client.application;
    if (!application) throw new Error('register commands after the client is ready');
    const payloads = this.commandPayloads();
    if (devGuildId) await application.commands.set(payloads, devGuildId);
    else await application.commands.set(payloads);
    this.ctx.logger.info(
      { commands: payloads.length, guild: devGuildId ?? 'global' },
      'slash commands registered',
    );
  }

  attach(): () => void {
    const onInteraction = (i: Interaction) => void this.handleInteraction(i);
    const onMessage = (m: Message) => void this.handleMessage(m);
    this.ctx.client.on(Events.InteractionCreate, onInteraction);
    this.ctx.client.on(Events.MessageCreate, onMessage);
    return () => {
      this.ctx.client.off(Events.InteractionCreate, onInteraction);
      this.ctx.client.off(Events.MessageCreate, onMessage);
    };
  }

  private async checkAccess(access: Access, interaction: Interaction<'cached'>): Promise<void> {
    if (access === 'everyone') return;
    const reviewerRole =
      access === 'reviewer'
        ? (await getGuildConfig(this.ctx.database.db, interaction.guildId)).reviewerRoleId
        : null;
    assertAccess(access, interaction.member, reviewerRole);
  }

  private async mayUse(access: Access, interaction: Interaction<'cached'>): Promise<boolean> {
    try {
      await this.checkAccess(access, interaction);
      return true;
    } catch (error) {
      if (error instanceof UserFacingError) return false;
      throw error;
    }
  }

  async handleInteraction(interaction: Interaction): Promise<void> {
    if (!interaction.inCachedGuild()) {
      if (interaction.isRepliable())
        await replyPrivately(interaction, 'This bot works inside a server only.').catch(() => {});
      return;
    }
    if (interaction.isAutocomplete()) return this.handleAutocomplete(interaction);
    if (!interaction.isRepliable()) return;
    const what = interaction.isChatInputCommand()
      ? `/${interaction.commandName}`
      : 'customId' in interaction
        ? interaction.customId
        : 'interaction';
    try {
      if (interaction.isChatInputCommand()) {
        if (interaction.commandName === 'admin') {
          const sub = this.findAdminSubcommand(
            interaction.options.getSubcommandGroup(false),
            interaction.options.getSubcommand(false),
          );
          await this.checkAccess('admin', interaction);
          if (!sub) throw new UserFacingError('not_found', 'That admin command is not available right now.');
          await sub.execute(interaction, this.ctx);
          return;
        }
        const command = this.commands.find((c) => c.data.name === interaction.commandName);
        if (!command)
          throw new UserFacingError(
            'not_found',
            'That command is not available right now; try again in a minute.',
          );
        await this.checkAccess(command.access, interaction);
        await command.execute(interaction, this.ctx);
        return;
      }
      if (
        interaction.isButton() ||
        interaction.isModalSubmit() ||
        interaction.isStringSelectMenu() ||
        interaction.isChannelSelectMenu() ||
        interaction.isRoleSelectMenu()
      ) {
        const handler = this.components.find(
          (h) => interaction.customId === h.prefix || interaction.customId.startsWith(`${h.prefix}:`),
        );
        if (!handler)
          throw new UserFacingError(
            'not_found',
            'This button no longer works; use the slash command instead.',
          );
        await this.checkAccess(handler.access, interaction);
        const args = interaction.customId
          .slice(handler.prefix.length + 1)
          .split(':')
          .filter(Boolean);
        await handler.handle(interaction, args, this.ctx);
      }
    } catch (error) {
      await answerFailure(interaction, error, this.ctx.logger, what);
    }
  }

  /**
   * Suggestions can reveal what the command guards (current settings, linked accounts), so a member
   * who may not run the command gets the same empty list as for a command without suggestions.
   */
  private async handleAutocomplete(interaction: AutocompleteInteraction<'cached'>): Promise<void> {
    try {
      const isAdmin = interaction.commandName === 'admin';
      const command = isAdmin
        ? undefined
        : this.commands.find((c) => c.data.name === interaction.commandName);
      const handler = isAdmin
        ? this.findAdminSubcommand(
            interaction.options.getSubcommandGroup(false),
            interaction.options.getSubcommand(false),
          )
        : command;
      const access: Access = isAdmin ? 'admin' : (command?.access ?? 'everyone');
      if (handler?.autocomplete && (await this.mayUse(access, interaction))) {
        await handler.autocomplete(interaction, this.ctx);
      } else await interaction.respond([]);
    } catch (error) {
      this.ctx.logger.warn({ err: error, command: interaction.commandName }, 'autocomplete failed');
      await interaction.respond([]).catch(() => {});
    }
  }

  private findAdminSubcommand(group: string | null, name: string | null): AdminSubcommand | undefined {
    return this.adminSubcommands.find((s) => (s.group?.name ?? null) === group && s.name === name);
  }

  async handleMessage(message: Message): Promise<void> {
    if (!message.inGuild() || message.author.bot || message.webhookId) return;
    for (const module of this.modules) {
      for (const listener of module.messageListeners ?? []) {
        try {
          await listener(message, this.ctx);
        } catch (error) {
          this.ctx.logger.error(
            { err: error, module: module.name, channel: message.channelId },
            'message listener failed',
          );
        }
      }
    }
  }

  private reloadSubcommand(): AdminSubcommand {
    return {
      name: 'reload',
      description: 'Restart one feature module without restarting the bot',
      options: (b) =>
        b.addStringOption((o) =>
          o
            .setName('module')
            .setDescription('The module to reload')
            .setRequired(true)
            .addChoices(...this.moduleNames.map((n) => ({ name: n, value: n }))),
        ),
      execute: async (interaction) => {
        const name = interaction.options.getString('module', true);
        const result = await this.reload(name);
        await this.registerCommands(this.ctx.config.discordDevGuildId);
        await replyPrivately(interaction, reloadReply(name, result));
      },
    };
  }
}

function reloadReply(name: string, result: ReloadResult): string {
  switch (result.kind) {
    case 'new':
      return `Reloaded the ${name} module with its new code.`;
    case 'unchanged':
      return `Reloaded the ${name} module; its files have not changed, so it runs the same code as before.`;
    case 'loaded':
      return `Restarted the ${name} module with the code already loaded: ${result.reason}, so new code needs a restart of the bot.`;
  }
}

function buildSubcommand(
  builder: SlashCommandSubcommandBuilder,
  sub: AdminSubcommand,
): SlashCommandSubcommandBuilder {
  builder.setName(sub.name).setDescription(sub.description);
  return sub.options ? sub.options(builder) : builder;
}

/** `/name`, or one usage per subcommand: `/admin embed create`, `/admin overlay url`. */
function usagesOf(
  payload: RESTPostAPIChatInputApplicationCommandsJSONBody,
): Omit<CommandGuideEntry, 'access'>[] {
  const usages = (payload.options ?? []).flatMap((option) => {
    if (option.type === ApplicationCommandOptionType.SubcommandGroup) {
      return (option.options ?? []).map((sub) => ({
        usage: `/${payload.name} ${option.name} ${sub.name}`,
        description: sub.description,
      }));
    }
    if (option.type === ApplicationCommandOptionType.Subcommand) {
      return [{ usage: `/${payload.name} ${option.name}`, description: option.description }];
    }
    return [];
  });
  return usages.length > 0 ? usages : [{ usage: `/${payload.name}`, description: payload.description }];
}
