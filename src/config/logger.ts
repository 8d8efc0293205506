import { pino, type Logger } from 'pino';
import type { Settings } from './settings.ts';

export type { Logger };

/** Paths pino blanks in every log line, so a secret passed in an object never reaches the log. */
const REDACT = [
  '*.adminToken',
  '*.apiKey',
  '*.password',
  '*.appPassword',
  '*.token',
  '*.accessJwt',
  '*.refreshJwt',
  '*.clientSecret',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'smtp.url',
  '*.smtp.url',
];

/** Structured JSON logs on stderr, so stdout stays free for command output (`--json`, CSV). */
export function createLogger(settings: Pick<Settings, 'logLevel'>): Logger {
  return pino(
    { level: settings.logLevel, base: { pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination({ dest: 2, sync: true }),
  );
}
