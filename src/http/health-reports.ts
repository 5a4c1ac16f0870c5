/** What a module adds to `GET /healthz`: its state under its own name. */
export interface HealthReport {
  name: string;
  /** Read on every probe; cheap, in memory, and never throwing. */
  report(): unknown;
}

/**
 * The reports of one bot's modules, gathered by /healthz. A module adds its report when it starts and
 * removes it when it stops, so an unloaded module is simply absent from the body.
 */
export class HealthReports {
  readonly #reports = new Set<HealthReport>();

  add(report: HealthReport): () => void {
    this.#reports.add(report);
    return () => this.#reports.delete(report);
  }

  collect(): Record<string, unknown> {
    return Object.fromEntries([...this.#reports].map((r) => [r.name, r.report()]));
  }
}

const byBot = new WeakMap<object, HealthReports>();

/** The reports of one bot, keyed by its BotContext (as `httpRoutesFor` keys its routes). */
export function healthReportsFor(bot: object): HealthReports {
  let reports = byBot.get(bot);
  if (!reports) {
    reports = new HealthReports();
    byBot.set(bot, reports);
  }
  return reports;
}
