/**
 * The pino logger every host and handler writes through: JSON lines on stdout,
 * with secrets redacted wherever they turn up in a logged object.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.ts';

/**
 * Paths pino blanks out. Headers may carry the bearer token, and config or
 * error objects may carry the token or a database URL with a password.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'NIGHTSHIFT_TOKEN',
  '*.NIGHTSHIFT_TOKEN',
  'DATABASE_URL',
  '*.DATABASE_URL',
];

export interface LoggerOptions {
  /** @default "info" */
  level?: Config['LOG_LEVEL'];
  /** Name on every line (the function's name). @default unset */
  name?: string;
  /** Where lines go. @default stdout */
  destination?: DestinationStream;
}

/** A pino JSON logger with redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(options.name === undefined ? {} : { name: options.name }),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
