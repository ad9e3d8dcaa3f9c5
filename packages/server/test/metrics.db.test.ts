import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { createMetrics, type Metrics } from '../src/http/metrics.js';
import { engine, startTestServer, type TestDatabase, type TestServer, useTestDatabase } from '@minergraph/test-support';

// GET /metrics as Prometheus scrapes it, counting what this server really did.
const used = useTestDatabase();
let measured: DatabaseHandle;
let metrics: Metrics;

beforeAll(async () => {
  metrics = createMetrics();
  // On PostgreSQL, the server's own pool with every statement reported to the metrics, as serve opens it.
  measured =
    engine === 'postgres'
      ? await openDatabase({ databaseUrl: used.database.url, onQuery: (event) => metrics.observeQuery(event) })
      : used.database;
  if (measured.pgPool) metrics.watchPool(measured.pgPool);
});
afterAll(async () => {
  if (measured !== used.database) await measured?.close();
});

/** One sample's value from the text format, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    if (wanted.every((pair) => labelText.split(',').includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe(`GET /metrics on ${engine}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(measured as TestDatabase, {
      metrics: { metrics, open: true, token: null },
      rateLimits: { perKeyPerMinute: 0, perAddressPerMinute: 1, concurrentPerClient: 0 },
    });
  });
  afterAll(async () => server?.close());

  it('counts requests by operation and outcome, their latency, error codes and rate-limit refusals', async () => {
    const company = 'query Company { company(ticker: "CANG") { ticker } }';
    expect((await server.graphql(company)).status).toBe(200);
    // Refused before it is counted against the limit: it never resolves to an operation.
    expect((await server.graphql('query Broken { company(ticker: "CANG") { nope } }')).status).toBe(400);
    expect((await server.graphql(company)).status).toBe(429);

    const response = await fetch(server.url.replace(/\/graphql$/, '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'minergraph_http_requests_total', { operation: 'Company', outcome: 'ok', status: '200' })).toBe(1);
    expect(sample(text, 'minergraph_http_requests_total', { operation: 'Company', outcome: 'error', status: '429' })).toBe(1);
    expect(sample(text, 'minergraph_http_requests_total', { operation: '(anonymous)', outcome: 'error', status: '400' })).toBe(1);
    expect(sample(text, 'minergraph_graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
    expect(sample(text, 'minergraph_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(sample(text, 'minergraph_http_request_duration_seconds_count', { operation: 'Company' })).toBe(2);
    expect(sample(text, 'minergraph_process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it.runIf(engine === 'postgres')('counts SQL statements and their time, and shows the pool', async () => {
    const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(sample(text, 'minergraph_sql_statements_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(text, 'minergraph_sql_duration_seconds_count')).toBe(sample(text, 'minergraph_sql_statements_total', { outcome: 'ok' }));
    expect(sample(text, 'minergraph_pg_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
  });
});

describe('who may read /metrics', () => {
  it('in production: nobody without MINERGRAPH_METRICS_TOKEN, and only with the token when it is set', async () => {
    const closed = await startTestServer(used.database, { metrics: { metrics: createMetrics(), open: false, token: null } });
    const guarded = await startTestServer(used.database, {
      metrics: { metrics: createMetrics(), open: false, token: 'a-metrics-token-for-tests' },
    });
    try {
      const at = (server: TestServer, headers: Record<string, string> = {}) =>
        fetch(server.url.replace(/\/graphql$/, '/metrics'), { headers });
      expect((await at(closed)).status).toBe(404);
      const refused = await at(guarded);
      expect([refused.status, await refused.text()]).toEqual([
        401,
        'GET /metrics needs "Authorization: Bearer <MINERGRAPH_METRICS_TOKEN>".\n',
      ]);
      expect((await at(guarded, { authorization: 'Bearer a-metrics-token-for-tests' })).status).toBe(200);
    } finally {
      await closed.close();
      await guarded.close();
    }
  });
});
