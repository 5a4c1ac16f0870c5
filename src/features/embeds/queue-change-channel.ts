import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Logger } from '../../logging/logger.js';
import type { Database } from '../../storage/connect.js';

/**
 * Queue changes between bot processes sharing one PostgreSQL: `NOTIFY queue_changed, '<guild id>'`.
 * PGlite is skipped: its LISTEN/NOTIFY is in-process only, and only one process can open it anyway.
 */
export const QUEUE_CHANGED_CHANNEL = 'queue_changed';
/** Shown in pg_stat_activity, so an operator can tell the listener's connection apart. */
export const LISTENER_APPLICATION_NAME = 'music-review-bot queue listener';

export async function announceQueueChange(database: Database, guildId: string): Promise<void> {
  if (database.kind !== 'postgres') return;
  await database.db.execute(sql`SELECT pg_notify(${QUEUE_CHANGED_CHANNEL}, ${guildId})`);
}

export interface QueueChangeListenerOptions {
  databaseUrl: string;
  logger: Logger;
  onChange(guildId: string): void;
  /** After a reconnect: notifications sent meanwhile are lost, so everything should be refreshed. */
  onReconnected(): void;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * LISTENs on a dedicated connection (a pooled one could be handed to a query and lose the LISTEN),
 * reconnecting with growing delays when the connection drops.
 */
export class QueueChangeListener {
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private everConnected = false;
  private stopped = false;

  constructor(private readonly options: QueueChangeListenerOptions) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: LISTENER_APPLICATION_NAME,
    });
    this.client = client;
    let dropped = false;
    const onDrop = (error?: Error) => {
      if (dropped || this.stopped || this.client !== client) return;
      dropped = true;
      this.client = undefined;
      this.options.logger.warn({ err: error?.message }, 'queue change listener lost its connection');
      void client.end().catch(() => {});
      this.retryLater();
    };
    client.on('error', onDrop);
    client.on('end', () => onDrop());
    client.on('notification', (message) => {
      if (message.channel === QUEUE_CHANGED_CHANNEL && message.payload)
        this.options.onChange(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${QUEUE_CHANGED_CHANNEL}`);
    } catch (error) {
      onDrop(error as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.failures = 0;
    if (this.everConnected) this.options.onReconnected();
    this.everConnected = true;
  }

  private retryLater(): void {
    const min = this.options.retryMinMs ?? 1_000;
    const max = this.options.retryMaxMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}
