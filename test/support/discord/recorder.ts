import type { UploadedFile } from './world.js';

/** One REST call the bot made, as the local Discord saw and answered it. */
export interface RecordedCall<Body = unknown> {
  method: string;
  /** Decoded path without `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** The JSON body, or the `payload_json` part of a multipart body. */
  body: Body;
  files: UploadedFile[];
  headers: Record<string, string | string[] | undefined>;
  status: number;
  response: unknown;
  /** `Date.now()` when the request arrived. */
  at: number;
}

export type CallPredicate = (call: RecordedCall) => boolean;

export class CallRecorder {
  readonly calls: RecordedCall[] = [];
  private readonly waiters = new Set<() => void>();

  record(call: RecordedCall): void {
    this.calls.push(call);
    for (const wake of this.waiters) wake();
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && path.test(call.path));
  }

  /**
   * Resolves with the `occurrence`-th call (0 = first) matching `predicate`, including calls made
   * before this was called; rejects after `timeoutMs` listing the latest calls.
   */
  waitForCall<Body = unknown>(
    predicate: CallPredicate,
    timeoutMs = 5_000,
    occurrence = 0,
  ): Promise<RecordedCall<Body>> {
    const found = () => this.calls.filter(predicate)[occurrence] as RecordedCall<Body> | undefined;
    return new Promise((resolve, reject) => {
      const check = () => {
        const call = found();
        if (!call) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`local Discord: no matching REST call within ${timeoutMs} ms. ${this.describeRecent()}`),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  describeRecent(count = 15): string {
    const recent = this.calls.slice(-count).map((c) => `  ${c.method} ${c.path} -> ${c.status}`);
    return recent.length ? `Latest calls:\n${recent.join('\n')}` : 'No REST calls were made.';
  }
}
