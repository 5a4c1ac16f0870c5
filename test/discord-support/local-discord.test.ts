import { once } from 'node:events';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelSelectMenuBuilder,
  ChannelType,
  ComponentType,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  OverwriteType,
  PermissionFlagsBits,
  RoleSelectMenuBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  type Client,
  type Interaction,
  type Message,
  type TextChannel,
} from 'discord.js';
import { InteractionResponseType } from 'discord-api-types/v10';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  discordErrors,
  installUnhandledRejectionGuard,
  rateLimited,
  startClient,
  startLocalDiscord,
  type LocalDiscord,
} from '../support/discord/index.js';

installUnhandledRejectionGuard();

const ALL_TEXT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
];

let discord: LocalDiscord | undefined;

afterEach(async () => {
  const unknownRoutes = discord?.unknownRoutes ?? [];
  await discord?.close();
  discord = undefined;
  expect(unknownRoutes).toEqual([]);
});

/** A review server with the bot, a streamer (owner), a listener and a reviewer role. */
async function reviewServer(intents: GatewayIntentBits[] = ALL_TEXT_INTENTS) {
  const local = (discord = await startLocalDiscord());
  const streamer = local.addUser({ username: 'streamer' });
  const guild = local.addGuild({ name: 'Music Review', ownerId: streamer.id });
  const category = local.addChannel(guild.id, { name: 'Stream', type: ChannelType.GuildCategory });
  const requests = local.addChannel(guild.id, { name: 'song-requests', parentId: category.id });
  const reviewer = local.addRole(guild.id, { name: 'Reviewer', permissions: 0n });
  local.addMember(guild.id, { user: streamer, roles: [reviewer.id] });
  const listener = local.addUser({ username: 'listener' });
  local.addMember(guild.id, { user: listener });
  const client = await startClient(local, { intents });
  return { discord: local, client, guild, requests, reviewer, streamer, listener };
}

function onInteraction(client: Client, handle: (interaction: Interaction) => Promise<unknown>): void {
  client.on(Events.InteractionCreate, (interaction) => void handle(interaction));
}

describe('connecting', () => {
  it('makes the client ready within a second, with the guild, its channels and roles cached', async () => {
    const started = Date.now();
    const { client, guild, requests, reviewer, discord } = await reviewServer();

    expect(Date.now() - started).toBeLessThan(2_000);
    const cached = client.guilds.cache.get(guild.id);
    expect(cached?.name).toBe('Music Review');
    expect(cached?.channels.cache.get(requests.id)?.name).toBe('song-requests');
    expect(cached?.roles.cache.get(reviewer.id)?.name).toBe('Reviewer');
    expect(cached?.members.me?.id).toBe(discord.bot.id);
    expect(client.user.id).toBe(discord.bot.id);
    expect(discord.identifiedIntents).toBe(
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent,
    );
  });

  it('lets the client resume after the gateway closes with 4000 and keeps delivering events', async () => {
    const { client, discord, requests, listener } = await reviewServer();

    await expect(discord.closeGateway(4000)).resolves.toBe('resumed');
    const received = once(client, Events.MessageCreate);
    discord.message({ channelId: requests.id, author: listener, content: 'still there?' });

    const [message] = (await received) as [Message];
    expect(message.content).toBe('still there?');
  });

  it('lets the client resume when asked to reconnect (op 7)', async () => {
    const { client, discord, requests, listener } = await reviewServer();

    await expect(discord.requestReconnect()).resolves.toBe('resumed');
    const received = once(client, Events.MessageCreate);
    discord.message({ channelId: requests.id, author: listener, content: 'after reconnect' });

    expect(((await received) as [Message])[0].content).toBe('after reconnect');
  });
});

describe('application commands', () => {
  it('stores global and guild commands registered by the client', async () => {
    const { client, discord, guild } = await reviewServer();

    const global = await client.application.commands.set([{ name: 'queue', description: 'Show the queue' }]);
    await client.application.commands.set([{ name: 'next', description: 'Review the next song' }], guild.id);

    expect(discord.registeredCommands().map((c) => c.name)).toEqual(['queue']);
    expect(discord.registeredCommands()[0]?.id).toBe(global.first()?.id);
    expect(discord.registeredCommands(guild.id).map((c) => c.name)).toEqual(['next']);
  });
});

describe('interactions', () => {
  it('records an ephemeral reply with an embed and allowed mentions', async () => {
    const { client, discord, requests, listener } = await reviewServer();
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply({
        content: `Queued ${interaction.options.getString('link', true)}`,
        embeds: [new EmbedBuilder().setTitle('Your submission')],
        flags: MessageFlags.Ephemeral,
        allowedMentions: { parse: [] },
      });
    });

    const reply = await discord
      .slashCommand({
        channelId: requests.id,
        user: listener,
        name: 'submit',
        options: { link: 'https://x.test/a' },
      })
      .reply();

    expect(reply.body.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(reply.body.data.content).toBe('Queued https://x.test/a');
    expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
    expect(reply.body.data.embeds?.[0]?.title).toBe('Your submission');
    expect(reply.body.data.allowed_mentions).toEqual({ parse: [] });
    expect(reply.headers.authorization).toBeUndefined();
    expect(discord.channelMessages(requests.id)).toEqual([]);
    expect(discord.channelMessages(requests.id, { includeEphemeral: true })).toHaveLength(1);
  });

  it('resolves subcommands and user options against the registered command', async () => {
    const { client, discord, guild, requests, streamer, listener } = await reviewServer();
    await client.application.commands.set(
      [
        {
          name: 'coins',
          description: 'Coins',
          options: [
            {
              type: ApplicationCommandOptionType.Subcommand,
              name: 'give',
              description: 'Give coins',
              options: [
                { type: ApplicationCommandOptionType.User, name: 'to', description: 'Who', required: true },
                {
                  type: ApplicationCommandOptionType.Integer,
                  name: 'amount',
                  description: 'How many',
                  required: true,
                },
              ],
            },
          ],
        },
      ],
      guild.id,
    );
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const to = interaction.options.getUser('to', true);
      const amount = interaction.options.getInteger('amount', true);
      await interaction.reply(`${interaction.options.getSubcommand()} ${amount} to ${to.username}`);
    });

    const reply = await discord
      .slashCommand({
        channelId: requests.id,
        user: streamer,
        name: 'coins',
        subcommand: 'give',
        options: { to: listener.id, amount: 5 },
      })
      .reply();

    expect(reply.body.data.content).toBe('give 5 to listener');
  });

  it('applies deferReply then editReply to @original', async () => {
    const { client, discord, requests, listener } = await reviewServer();
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply('Done reviewing');
    });

    const command = discord.slashCommand({ channelId: requests.id, user: listener, name: 'review' });

    expect((await command.reply()).body.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect((await command.editReply()).body.content).toBe('Done reviewing');
    expect(command.originalMessage()?.content).toBe('Done reviewing');
    expect(command.originalMessage()?.flags).toBe(0);
    expect(discord.channelMessages(requests.id).map((m) => m.content)).toEqual(['Done reviewing']);
  });

  it('posts follow-ups after the reply', async () => {
    const { client, discord, requests, listener } = await reviewServer();
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply('Queued');
      await interaction.followUp({ content: 'Position 3', flags: MessageFlags.Ephemeral });
    });

    const command = discord.slashCommand({ channelId: requests.id, user: listener, name: 'submit' });

    expect((await command.followUp()).body.content).toBe('Position 3');
    expect(discord.channelMessages(requests.id).map((m) => m.content)).toEqual(['Queued']);
    expect(command.allResponses().map((c) => `${c.method} ${c.status}`)).toEqual(['POST 204', 'POST 200']);
  });

  it('updates the message a clicked button sits on', async () => {
    const { client, discord, requests, streamer } = await reviewServer();
    const channel = client.channels.cache.get(requests.id) as TextChannel;
    const skip = new ButtonBuilder().setCustomId('skip').setLabel('Skip').setStyle(ButtonStyle.Danger);
    const posted = await channel.send({
      content: 'Now playing: song A',
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(skip)],
    });
    onInteraction(client, async (interaction) => {
      if (interaction.isButton() && interaction.customId === 'skip') {
        await interaction.update({ content: 'Skipped song A', components: [] });
      }
    });

    const click = discord.button({
      channelId: requests.id,
      user: streamer,
      customId: 'skip',
      message: posted.id,
    });

    expect((await click.reply()).body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(discord.channelMessages(requests.id)).toMatchObject([
      { content: 'Skipped song A', components: [] },
    ]);
  });

  it('shows a modal and receives its submitted fields', async () => {
    const { client, discord, requests, listener } = await reviewServer();
    onInteraction(client, async (interaction) => {
      if (interaction.isChatInputCommand()) {
        const link = new TextInputBuilder().setCustomId('link').setStyle(TextInputStyle.Short);
        const modal = new ModalBuilder()
          .setCustomId('submit-modal')
          .setTitle('Submit a song')
          .addLabelComponents(new LabelBuilder().setLabel('Link').setTextInputComponent(link));
        await interaction.showModal(modal);
      } else if (interaction.isModalSubmit()) {
        await interaction.reply(`Got ${interaction.fields.getTextInputValue('link')}`);
      }
    });

    const modal = await discord
      .slashCommand({ channelId: requests.id, user: listener, name: 'submit' })
      .reply();
    const submit = discord.modalSubmit({
      channelId: requests.id,
      user: listener,
      customId: 'submit-modal',
      fields: { link: 'https://x.test/b' },
    });

    expect(modal.body).toMatchObject({
      type: InteractionResponseType.Modal,
      data: { custom_id: 'submit-modal' },
    });
    expect((await submit.reply()).body.data.content).toBe('Got https://x.test/b');
  });

  it('answers a reply made withResponse with the created message', async () => {
    const { client, discord, requests, listener } = await reviewServer();
    const created: (string | undefined)[] = [];
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const response = await interaction.reply({ content: 'Queued', withResponse: true });
      created.push(response.resource?.message?.content);
    });

    const reply = await discord
      .slashCommand({ channelId: requests.id, user: listener, name: 'submit' })
      .reply();

    expect(reply.query).toEqual({ with_response: 'true' });
    await vi.waitFor(() => expect(created).toEqual(['Queued']));
  });

  it('passes the chosen values of a select menu', async () => {
    const { client, discord, requests, streamer } = await reviewServer();
    const channel = client.channels.cache.get(requests.id) as TextChannel;
    const tiers = new StringSelectMenuBuilder()
      .setCustomId('tier')
      .addOptions({ label: 'Gold', value: 'gold' }, { label: 'Silver', value: 'silver' });
    const posted = await channel.send({
      content: 'Pick a tier',
      components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(tiers)],
    });
    onInteraction(client, async (interaction) => {
      if (interaction.isStringSelectMenu()) await interaction.reply(`Tier ${interaction.values.join(',')}`);
    });

    const choice = discord.selectMenu({
      channelId: requests.id,
      user: streamer,
      customId: 'tier',
      message: posted.id,
      values: ['gold'],
    });

    expect((await choice.reply()).body.data.content).toBe('Tier gold');
  });

  it('passes a channel select and a role select with values and what discord.js resolves them to', async () => {
    const { client, discord, guild, requests, reviewer, streamer } = await reviewServer();
    const channel = client.channels.cache.get(requests.id) as TextChannel;
    const posted = await channel.send({
      content: 'Pick',
      components: [
        new ActionRowBuilder<ChannelSelectMenuBuilder>().addComponents(
          new ChannelSelectMenuBuilder().setCustomId('where').setChannelTypes(ChannelType.GuildText),
        ),
        new ActionRowBuilder<RoleSelectMenuBuilder>().addComponents(
          new RoleSelectMenuBuilder().setCustomId('who'),
        ),
      ],
    });
    const voice = discord.createChannel(guild.id, { name: 'Stage', type: ChannelType.GuildVoice });
    onInteraction(client, async (interaction) => {
      if (interaction.isChannelSelectMenu()) {
        const picked = interaction.channels.first();
        await interaction.update(`${picked?.type}:${picked?.id}:${interaction.channels.size}`);
      }
      if (interaction.isRoleSelectMenu()) await interaction.update(`role ${interaction.roles.first()?.name}`);
    });

    // Channel types are the client's filter: a crafted request can name any channel.
    const where = discord.selectMenu({
      channelId: requests.id,
      user: streamer,
      customId: 'where',
      message: posted.id,
      values: [voice.id],
      componentType: ComponentType.ChannelSelect,
    });
    expect(where.payload.data).toMatchObject({
      component_type: ComponentType.ChannelSelect,
      values: [voice.id],
      resolved: { channels: { [voice.id]: { id: voice.id, type: ChannelType.GuildVoice, name: 'Stage' } } },
    });
    const update = await where.reply();
    expect(update.body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(update.body.data.content).toBe(`${ChannelType.GuildVoice}:${voice.id}:1`);

    const who = discord.selectMenu({
      channelId: requests.id,
      user: streamer,
      customId: 'who',
      message: posted.id,
      values: [reviewer.id],
      componentType: ComponentType.RoleSelect,
    });
    expect(who.payload.data).toMatchObject({ resolved: { roles: { [reviewer.id]: { name: 'Reviewer' } } } });
    expect((await who.reply()).body.data.content).toBe('role Reviewer');
  });

  it('refuses a channel or role select the message does not carry', async () => {
    const { client, discord, requests, streamer } = await reviewServer();
    const posted = await (client.channels.cache.get(requests.id) as TextChannel).send('No menus here');
    expect(() =>
      discord.selectMenu({
        channelId: requests.id,
        user: streamer,
        customId: 'where',
        message: posted.id,
        values: [requests.id],
        componentType: ComponentType.ChannelSelect,
      }),
    ).toThrow(/carries no ChannelSelect with custom id where/);
  });

  it('computes channel permissions with overwrites, for the client and for REST', async () => {
    const { client, discord, guild } = await reviewServer();
    const locked = discord.createChannel(guild.id, {
      name: 'locked',
      permissionOverwrites: [
        {
          id: guild.id,
          type: OverwriteType.Role,
          allow: '0',
          deny: String(PermissionFlagsBits.SendMessages),
        },
      ],
    });
    const channel = await vi.waitFor(() => {
      const created = client.channels.cache.get(locked.id);
      if (!created) throw new Error('CHANNEL_CREATE not received yet');
      return created as TextChannel;
    });
    expect(channel.permissionsFor(client.user)?.has(PermissionFlagsBits.SendMessages)).toBe(false);
    await expect(channel.send('hello')).rejects.toMatchObject({ code: 50013 });
  });

  it('returns autocomplete choices for the focused option', async () => {
    const { client, discord, requests, listener } = await reviewServer();
    onInteraction(client, async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      await interaction.respond([{ name: `${typed} (live)`, value: `${typed}-id` }]);
    });

    const answer = await discord
      .autocomplete({
        channelId: requests.id,
        user: listener,
        name: 'song',
        options: { title: 'Blue' },
        focused: 'title',
      })
      .reply();

    expect(answer.body.type).toBe(InteractionResponseType.ApplicationCommandAutocompleteResult);
    expect(answer.body.data.choices).toEqual([{ name: 'Blue (live)', value: 'Blue-id' }]);
  });
});

describe('channel messages', () => {
  it('applies sends, edits, reactions and deletes to what the channel shows', async () => {
    const { client, discord, requests } = await reviewServer();
    const channel = client.channels.cache.get(requests.id) as TextChannel;

    const message = await channel.send('Queue opens soon');
    await message.edit('Queue is open');
    await message.react('🔥');
    await message.react('<:gold:123456789012345678>');

    expect(discord.channelMessages(requests.id)).toMatchObject([
      {
        content: 'Queue is open',
        reactions: [
          { emoji: { name: '🔥', id: null }, me: true, count: 1 },
          { emoji: { name: 'gold', id: '123456789012345678' }, me: true, count: 1 },
        ],
      },
    ]);
    expect(discord.channelMessages(requests.id)[0]?.edited_timestamp).not.toBeNull();
    expect(discord.callsTo('PUT', /\/reactions\/🔥\/@me$/)).toHaveLength(1);

    await message.delete();
    expect(discord.channelMessages(requests.id)).toEqual([]);
  });

  it('records a multipart upload with its bytes and serves the file back', async () => {
    const { client, discord, requests } = await reviewServer();
    const channel = client.channels.cache.get(requests.id) as TextChannel;
    const bytes = Buffer.from('ID3 fake mp3 bytes');

    await channel.send({ content: 'Your clip', files: [{ attachment: bytes, name: 'clip.mp3' }] });

    const [call] = discord.callsTo('POST', /^\/channels\/\d+\/messages$/);
    expect(call?.body).toMatchObject({ content: 'Your clip', attachments: [{ id: '0' }] });
    expect(call?.files).toMatchObject([{ index: 0, name: 'clip.mp3' }]);
    expect(call?.files[0]?.data.equals(bytes)).toBe(true);
    const attachment = discord.channelMessages(requests.id)[0]?.attachments[0];
    const download = await fetch(attachment?.url ?? '');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('opens a DM channel and posts to it', async () => {
    const { client, discord, listener } = await reviewServer();

    const user = await client.users.fetch(listener.id);
    const sent = await user.send('Your song is next');

    expect(discord.channelMessages(sent.channelId).map((m) => m.content)).toEqual(['Your song is next']);
  });

  it('blanks message content for a client without the Message Content intent', async () => {
    const { client, discord, requests, listener } = await reviewServer([
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
    ]);
    const received = once(client, Events.MessageCreate);

    discord.message({
      channelId: requests.id,
      author: listener,
      content: 'https://x.test/song',
      attachments: [{ filename: 'song.mp3', data: 'bytes', contentType: 'audio/mpeg' }],
    });

    const [message] = (await received) as [Message];
    expect(message.content).toBe('');
    expect(message.attachments.size).toBe(0);
  });

  it('keeps the content of a message that mentions the bot, even without the intent', async () => {
    const { client, discord, requests, listener } = await reviewServer([
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
    ]);
    const received = once(client, Events.MessageCreate);

    discord.message({ channelId: requests.id, author: listener, content: `<@${discord.bot.id}> hello` });

    expect(((await received) as [Message])[0].content).toBe(`<@${discord.bot.id}> hello`);
  });

  it('delivers content and attachments to a client with the Message Content intent', async () => {
    const { client, discord, requests, listener } = await reviewServer();
    const received = once(client, Events.MessageCreate);

    discord.message({
      channelId: requests.id,
      author: listener,
      content: 'https://x.test/song',
      attachments: [{ filename: 'song.mp3', data: 'bytes', contentType: 'audio/mpeg' }],
    });

    const [message] = (await received) as [Message];
    expect(message.content).toBe('https://x.test/song');
    expect(message.attachments.first()?.name).toBe('song.mp3');
    expect(message.member?.id).toBe(listener.id);
  });
});

describe('injected failures', () => {
  it('answers only the next matching call with the given Discord error', async () => {
    const { client, discord, requests } = await reviewServer();
    const message = await (client.channels.cache.get(requests.id) as TextChannel).send('Now playing');
    discord.failNext('PATCH', /^\/channels\/\d+\/messages\/\d+$/, discordErrors.unknownMessage);

    await expect(message.edit('Skipped')).rejects.toMatchObject({ code: 10008, status: 404 });
    await message.edit('Skipped');
    expect(discord.channelMessages(requests.id).map((m) => m.content)).toEqual(['Skipped']);
  });

  it('makes the client wait out a 429 and retry', async () => {
    const { client, discord, requests } = await reviewServer();
    const channel = client.channels.cache.get(requests.id) as TextChannel;
    discord.failNext('POST', `/channels/${requests.id}/messages`, rateLimited(0.3));

    await channel.send('after the limit');

    const [limited, retried] = discord.callsTo('POST', /\/messages$/);
    expect([limited?.status, retried?.status]).toEqual([429, 200]);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(300);
    expect(discord.channelMessages(requests.id).map((m) => m.content)).toEqual(['after the limit']);
  });
});
