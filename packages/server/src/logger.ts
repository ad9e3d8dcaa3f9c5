import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** JSON lines for machines; pretty, coloured lines when a person watches a terminal. */
export function createLogger(level: LogLevel, pretty = Boolean(process.stdout.isTTY)): Logger {
  return pino({
    level,
    base: { service: 'minergraph' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  });
}
