import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Statement texts this process names at most. The bot's statements are a fixed set (~150–200 in a
 * load run with every feature); texts built with a varying number of parameters could grow without
 * end, so past this many a new text runs unnamed, as every statement once did.
 */
export const MAX_NAMED_STATEMENTS = 500;

/** Derived from the text, so two texts can never share a name on one connection. */
function nameOf(text: string): string {
  return `mrb_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

/** Which statement texts are named, and under which name. */
export class StatementNames {
  /** Text → its name once it is prepared, or null after its first run. */
  readonly #known = new Map<string, string | null>();

  constructor(readonly limit = MAX_NAMED_STATEMENTS) {}

  /** The name to prepare `text` under from its very first run (a statement known to be hot). */
  prepared(text: string): string {
    const name = this.#known.get(text);
    if (name) return name;
    const made = nameOf(text);
    if (name === null || this.#known.size < this.limit) this.#known.set(text, made);
    return made;
  }

  /**
   * The name to prepare `text` under once it runs a second time; undefined on its first run (a
   * one-off statement takes no slot on any connection) and for new texts past the limit.
   */
  repeated(text: string): string | undefined {
    const name = this.#known.get(text);
    if (name) return name;
    if (name === null) return this.prepared(text);
    if (this.#known.size < this.limit) this.#known.set(text, null);
    return undefined;
  }
}

const processNames = new StatementNames();
export const preparedName = (text: string): string => processNames.prepared(text);
export const repeatedStatementName = (text: string): string | undefined => processNames.repeated(text);

/** Query arguments with the statement's name added, when it has none and its text is a repeated one. */
function withStatementName(args: unknown[]): unknown[] {
  const [config] = args;
  if (typeof config !== 'object' || config === null) return args;
  const { text, name } = config as { text?: unknown; name?: unknown };
  if (typeof text !== 'string' || name !== undefined) return args;
  const assigned = repeatedStatementName(text);
  return assigned ? [{ ...config, name: assigned }, ...args.slice(1)] : args;
}

/**
 * A node-postgres client that runs each repeated statement as a named prepared statement, so
 * PostgreSQL parses it once per connection and, after its first few runs, plans it once too instead
 * of on every run. Under load (bench/load.bench.ts, 50 LIVEs, pg_stat_statements) planning alone was
 * ~15% of the server's CPU, 1 ms of it per ingest batch; named, the server's share of the machine
 * fell from 80–84% to 73–74% of a core. Plain-text queries (`BEGIN`, `COMMIT`) and queries that carry
 * a name already are left as they are. Behind PgBouncer this needs session pooling, or 1.21+ with
 * `max_prepared_statements`.
 */
export class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // pg.Client's query has a dozen overloads; wrapping the bound method keeps every one of them.
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => query(...withStatementName(args))) as pg.Client['query'];
  }
}
