import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { LogEvent } from 'kysely';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadTarget } from '../db/read-replica.js';
import { requestFactsOf } from './request-log.js';
import type { NodeHandler } from './node-handlers.js';
import { pathOf } from './urls.js';
import type { ResponseCacheCounters } from './response-cache.js';

/**
 * What operators watch, in Prometheus's text format at /metrics: requests by operation and
 * outcome, their latency, error codes, rate-limit refusals, SQL statements and their time, the
 * PostgreSQL pool, and the process itself (CPU, memory, event-loop lag, GC). One registry per
 * server, so several servers in one process never mix their counts.
 */
export interface Metrics {
  readonly registry: Registry;
  /** For openDatabase's onQuery: counts each SQL statement and its time. */
  observeQuery(event: LogEvent): void;
  /** Reports the pool's connections (PostgreSQL only). */
  watchPool(pool: pg.Pool): void;
  /** Counts a query by the database that serves it (the read replica, or the primary). */
  countRead(target: ReadTarget): void;
  /** Counts each answered request; mounted before the routes. */
  middleware(): NodeHandler;
  /** Counts the response cache's hits and misses, and reports what it holds. */
  watchResponseCache(stats: () => { bytes: number; entries: number }): ResponseCacheCounters;
  /** WebSocket connections, subscriptions listening, and subscribers closed for reading too slowly. */
  watchSubscriptions(stats: () => { connections: number; listening: number; slowClosed: number }): void;
}

/** Client-chosen operation names would grow the series without end: past this many, "other". */
const MAX_OPERATION_NAMES = 200;

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'minergraph_' });
  const requests = new Counter({
    name: 'minergraph_http_requests_total',
    help: 'HTTP requests answered, by GraphQL operation name, outcome (ok, or error when the answer carried errors) and status.',
    labelNames: ['operation', 'outcome', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'minergraph_http_request_duration_seconds',
    help: 'Time from a request to its answer, by GraphQL operation name.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'minergraph_graphql_errors_total',
    help: 'Errors in answers, by extensions.code (RATE_LIMITED counts rate-limit refusals).',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const statements = new Counter({
    name: 'minergraph_sql_statements_total',
    help: 'SQL statements run.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const sqlTime = new Histogram({
    name: 'minergraph_sql_duration_seconds',
    help: 'Time each SQL statement took.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const reads = new Counter({
    name: 'minergraph_graphql_reads_total',
    help: 'GraphQL queries by the database that served them: replica (DATABASE_READ_URL) or primary.',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  const operations = new Set<string>();
  const operationLabel = (name: string | null) => {
    if (name === null) return '(anonymous)';
    if (operations.has(name)) return name;
    if (operations.size >= MAX_OPERATION_NAMES) return '(other)';
    operations.add(name);
    return name;
  };

  return {
    registry,
    observeQuery(event) {
      statements.inc({ outcome: event.level === 'error' ? 'error' : 'ok' });
      sqlTime.observe(event.queryDurationMillis / 1000);
    },
    countRead: (target) => reads.inc({ target }),
    watchPool(pool) {
      new Gauge({
        name: 'minergraph_pg_pool_connections',
        help: 'Connections of the PostgreSQL pool, by state: total, idle, and requests waiting for one.',
        labelNames: ['state'] as const,
        registers: [registry],
        collect() {
          this.set({ state: 'total' }, pool.totalCount);
          this.set({ state: 'idle' }, pool.idleCount);
          this.set({ state: 'waiting' }, pool.waitingCount);
        },
      });
    },
    watchSubscriptions(stats) {
      new Gauge({
        name: 'minergraph_websocket_connections',
        help: 'Open WebSocket (graphql-ws) connections.',
        registers: [registry],
        collect() {
          this.set(stats().connections);
        },
      });
      new Gauge({
        name: 'minergraph_subscriptions',
        help: 'Subscriptions listening for changes.',
        registers: [registry],
        collect() {
          this.set(stats().listening);
        },
      });
      new Gauge({
        name: 'minergraph_slow_subscribers_closed',
        help: 'Connections closed (1013) since the start because a subscription fell further behind than its buffer.',
        registers: [registry],
        collect() {
          this.set(stats().slowClosed);
        },
      });
    },
    watchResponseCache(stats) {
      const lookups = new Counter({
        name: 'minergraph_response_cache_lookups_total',
        help: 'Reads looked up in the response cache, by outcome: hit (answered from memory) or miss (executed).',
        labelNames: ['outcome'] as const,
        registers: [registry],
      });
      new Gauge({
        name: 'minergraph_response_cache_bytes',
        help: 'Bytes of answers (their JSON) and keys the response cache holds.',
        registers: [registry],
        collect() {
          this.set(stats().bytes);
        },
      });
      new Gauge({
        name: 'minergraph_response_cache_entries',
        help: 'Answers the response cache holds.',
        registers: [registry],
        collect() {
          this.set(stats().entries);
        },
      });
      const hits = lookups.labels({ outcome: 'hit' });
      const misses = lookups.labels({ outcome: 'miss' });
      return { hit: () => hits.inc(), miss: () => misses.inc() };
    },
    middleware() {
      return (req, res, next) => {
        if (pathOf(req.url) !== '/graphql' || req.method === 'OPTIONS') return next();
        const started = process.hrtime.bigint();
        res.on('finish', () => {
          const facts = requestFactsOf(res);
          const operation = operationLabel(facts.operationName);
          requests.inc({ operation, outcome: facts.errorCodes.length > 0 ? 'error' : 'ok', status: String(res.statusCode) });
          latency.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
          for (const code of facts.errorCodes) errors.inc({ code });
        });
        next();
      };
    },
  };
}

/**
 * GET /metrics: open outside production; in production only with MINERGRAPH_METRICS_TOKEN,
 * sent as "Authorization: Bearer <token>"; otherwise not served at all.
 */
export function metricsRoute(metrics: Metrics, access: { open: boolean; token: string | null }): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/metrics') return next();
    if (!access.open && access.token === null) return next();
    if (access.token !== null && !sameSecret(req.headers.authorization ?? '', `Bearer ${access.token}`)) {
      res.status(401).type('text/plain').send('GET /metrics needs "Authorization: Bearer <MINERGRAPH_METRICS_TOKEN>".\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
