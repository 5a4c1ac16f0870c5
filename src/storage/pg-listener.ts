import pg from 'pg';

export interface ListenHandlers {
  onPayload(payload: string): void;
  /** The listener was down for a while (reconnected): notifications may have been missed. */
  onResync(): void;
  /** The LISTEN is in place: from now on every notification arrives (at start and after each reconnect). */
  onListening?(): void;
  /** The connection dropped or could not be made; the listener retries on its own. */
  onProblem(error: Error | undefined): void;
}

export interface PgListenerOptions extends ListenHandlers {
  connectionString: string;
  channel: string;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** Shown in pg_stat_activity, so an operator can tell the listener's connection apart. */
export const LISTENER_APPLICATION_NAME = 'music-review-bot queue listener';

/**
 * LISTENs on a dedicated connection (a pooled one could be handed to a query and lose the LISTEN),
 * reconnecting with growing delays when the connection drops.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private everConnected = false;
  private stopped = false;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`bad channel name ${options.channel}`);
  }

  /** Resolves once the first LISTEN is in place (or the first attempt failed and a retry is planned). */
  start(): Promise<void> {
    return this.connect();
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
      connectionString: this.options.connectionString,
      application_name: LISTENER_APPLICATION_NAME,
    });
    this.client = client;
    let dropped = false;
    const onDrop = (error?: Error) => {
      if (dropped || this.stopped || this.client !== client) return;
      dropped = true;
      this.client = undefined;
      this.options.onProblem(error);
      void client.end().catch(() => {});
      this.retryLater();
    };
    client.on('error', onDrop);
    client.on('end', () => onDrop());
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload)
        this.options.onPayload(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      onDrop(error as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.failures = 0;
    if (this.everConnected) this.options.onResync();
    this.everConnected = true;
    this.options.onListening?.();
  }

  private retryLater(): void {
    const min = this.options.retryMinMs ?? 1_000;
    const max = this.options.retryMaxMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}
