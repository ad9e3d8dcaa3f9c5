// The child process of a benchmark (see startServedProcess in bench-target.ts): our GraphQL
// server, or the floor, over the benchmark's database, answering the parent over IPC.
import { DEFAULT_LIMITS, DEFAULT_SUBSCRIPTION_LIMITS } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { createServer } from '../src/http/app.js';
import { DEFAULT_RESPONSE_CACHE_BYTES } from '../src/http/response-cache.js';
import { createLogger } from '../src/logger.js';
import type { LogLevel } from '../src/config.js';
import { createFloorServer } from './floor.js';

const env = process.env;
let statements = 0;
const countStatement = () => {
  statements += 1;
};

const database = await openDatabase({
  ...(env.BENCH_SERVE_DATABASE_URL ? { databaseUrl: env.BENCH_SERVE_DATABASE_URL } : { dataDir: env.BENCH_SERVE_DATA_DIR! }),
  // As `pnpm start` opens it: the pool's default size, the default statement timeout.
  statementTimeoutMs: DEFAULT_LIMITS.statementTimeoutMs,
  onQuery: countStatement,
});
const server =
  env.BENCH_SERVE === 'floor'
    ? createFloorServer(database, countStatement)
    : await createServer({
        database,
        logger: createLogger((env.BENCH_SERVE_LOG_LEVEL ?? 'info') as LogLevel, false),
        responseCache: env.BENCH_SERVE_RESPONSE_CACHE === 'true' ? { maxBytes: DEFAULT_RESPONSE_CACHE_BYTES } : null,
        subscriptions: {
          ...DEFAULT_SUBSCRIPTION_LIMITS,
          ...(env.BENCH_SERVE_WS_PER_CLIENT ? { maxConnectionsPerClient: Number(env.BENCH_SERVE_WS_PER_CLIENT) } : {}),
        },
      });
const url = await server.listen(0, '127.0.0.1');
process.send!({ type: 'listening', url });

process.on('message', async (message: { type: string; id: string; gc?: boolean }) => {
  const reply = (body: object) => process.send!({ id: message.id, ...body });
  switch (message.type) {
    case 'subscriptions': {
      reply({ stats: (server as { subscriptions?: { stats(): object } | null }).subscriptions?.stats() ?? null });
      break;
    }
    case 'memory': {
      if (message.gc) {
        globalThis.gc!();
        globalThis.gc!();
      }
      const { rss, heapUsed, heapTotal } = process.memoryUsage();
      reply({ rss, heapUsed, heapTotal });
      break;
    }
    case 'cpu': {
      // User and system time of this process, in microseconds: the server's CPU per request.
      const { user, system } = process.cpuUsage();
      reply({ micros: user + system });
      break;
    }
    case 'statements':
      reply({ statements });
      break;
    case 'stop':
      await server.close();
      await database.close();
      reply({});
      process.disconnect();
      break;
  }
});
