/** An open `text/event-stream` response, read as text as it arrives. */
export interface EventStreamReader {
  status: number;
  headers: Headers;
  /** Resolves with everything received so far once it contains `text`; rejects if the stream ends first. */
  until(text: string): Promise<string>;
  /** Resolves once the server ends the stream. */
  ended(): Promise<string>;
  close(): void;
}

export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStreamReader> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal, headers });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  let done = false;
  const readMore = async () => {
    const chunk = await reader.read();
    if (chunk.done) done = true;
    else received += decoder.decode(chunk.value, { stream: true });
  };
  return {
    status: response.status,
    headers: response.headers,
    async until(text) {
      while (!received.includes(text)) {
        if (done) throw new Error(`the stream ended without ${JSON.stringify(text)}; got ${received}`);
        await readMore();
      }
      return received;
    },
    async ended() {
      while (!done) await readMore();
      return received;
    },
    close: () => abort.abort(),
  };
}

/** The data of the last `queue` event in a stream's text. */
export function lastQueueEvent(text: string): unknown {
  const events = [...text.matchAll(/event: queue\ndata: (.*)\n\n/g)];
  return JSON.parse(events.at(-1)?.[1] ?? 'null');
}
