import cluster from 'node:cluster';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * JSON lines for machines; pretty, coloured lines when a person watches a terminal, a request
 * still on one line. `destination` (JSON only) is for tests that read what was logged.
 */
export function createLogger(level: LogLevel, pretty = Boolean(process.stdout.isTTY), destination?: DestinationStream): Logger {
  const options = {
    level,
    // Several server processes (MINERGRAPH_WORKERS) write to one output: each line says whose it is.
    base: { service: 'minergraph', ...(cluster.isWorker ? { pid: process.pid } : {}) },
    // Request lines carry no headers; this is for anything else that logs a request by mistake.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: {
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service,method,path,status,durationMs,operationName',
          singleLine: true,
        },
      },
    });
  }
  // Standard output written asynchronously: a line is written as soon as the previous write is
  // done, so lines logged meanwhile go out together in one write instead of one blocking write
  // each (a request line on every request). Buffered lines are written when the process exits.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
