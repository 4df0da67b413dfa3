/**
 * Logging: one pino root logger, child loggers per module. Authorization headers, cookies, tokens
 * and secrets are redacted by path; bodies are never logged in the first place.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Creates the root logger. `level` from `LOG_LEVEL`. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'convene' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.token',
          '*.accessToken',
          '*.secret',
          '*.clientSecret',
          'token',
          'secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
