import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Secrets never reach logs: known secret keys are redacted wherever they appear, and connection URLs
 * are logged through `redactUrl`.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'token',
          '*.token',
          'password',
          '*.password',
          'databaseUrl',
          '*.databaseUrl',
          'discordToken',
          '*.discordToken',
          'tiktokWebhookSecret',
          '*.tiktokWebhookSecret',
          'tiktokSignApiKey',
          '*.tiktokSignApiKey',
          'tiktokProxyUrl',
          '*.tiktokProxyUrl',
          'tiktokSession',
          '*.tiktokSession',
          'proxyUrl',
          '*.proxyUrl',
          'authorization',
          '*.authorization',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
