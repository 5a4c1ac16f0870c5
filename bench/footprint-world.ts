import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type { APIUser } from 'discord-api-types/v10';
import {
  startLocalDiscord,
  type InteractionHandle,
  type LocalDiscord,
} from '../test/support/discord/index.js';

/** A review server on the local Discord for a bot in another process: an admin, viewers, two channels. */
export interface FootprintWorld {
  discord: LocalDiscord;
  guildId: string;
  channels: { submissions: string; reviewers: string };
  reviewerRoleId: string;
  admin: APIUser;
  viewers: APIUser[];
  /** Viewer `i` submits a song of their own (one open song per viewer). */
  submit(i: number): InteractionHandle;
  close(): Promise<void>;
}

export async function footprintWorld(viewerCount: number): Promise<FootprintWorld> {
  const discord = await startLocalDiscord();
  const admin = discord.addUser({ username: 'streamer' });
  const guild = discord.addGuild({ name: 'Music Review', ownerId: admin.id });
  const submissions = discord.addChannel(guild.id, { name: 'song-requests', type: ChannelType.GuildText });
  const reviewers = discord.addChannel(guild.id, { name: 'reviewers', type: ChannelType.GuildText });
  const reviewerRole = discord.addRole(guild.id, { name: 'Reviewer', permissions: 0n });
  const adminRole = discord.addRole(guild.id, {
    name: 'Admin',
    permissions: PermissionFlagsBits.ManageGuild,
  });
  discord.addMember(guild.id, { user: admin, roles: [adminRole.id, reviewerRole.id] });
  const viewers = Array.from({ length: viewerCount }, (_, i) => {
    const viewer = discord.addUser({ username: `viewer${i}` });
    discord.addMember(guild.id, { user: viewer });
    return viewer;
  });
  return {
    discord,
    guildId: guild.id,
    channels: { submissions: submissions.id, reviewers: reviewers.id },
    reviewerRoleId: reviewerRole.id,
    admin,
    viewers,
    submit(i) {
      const user = viewers[i];
      if (!user) throw new Error(`no viewer ${i}`);
      return discord.slashCommand({
        channelId: submissions.id,
        user,
        name: 'submit',
        options: {
          artist: `Artist ${i}`,
          title: `Song ${i}`,
          link: `https://youtu.be/${String(i).padStart(11, 'f')}`,
        },
      });
    },
    close: () => discord.close(),
  };
}
