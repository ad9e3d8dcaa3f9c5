import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';
import { runCli, servingUrl } from './support/process.js';

// With OTEL_EXPORTER_OTLP_ENDPOINT, `serve` sends a trace of each request to an OTLP/HTTP
// collector: here a stand-in that keeps what it is sent.
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}
let collector: Server;
let endpoint: string;
const received: OtlpSpan[] = [];
let dir: string;
let postgres: TestDatabase | undefined;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const resource of parsed.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
  dir = mkdtempSync(join(tmpdir(), 'minergraph-tracing-'));
  if (engine === 'postgres') postgres = await createTestDatabase('seeded');
});
afterAll(async () => {
  collector.close();
  await postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value;

describe(`tracing on ${engine}`, () => {
  it("sends the HTTP request, its GraphQL operation and its SQL statements as one trace, continuing the caller's traceparent", async () => {
    const env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
    const server = runCli(['serve'], { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    const url = await servingUrl(server);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ query: 'query Company { company(ticker: "CANG") { ticker } }' }),
    });
    expect(await response.json()).toEqual({ data: { company: { ticker: 'CANG' } } });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const trace = received.filter((span) => span.traceId === traceId);
    const http = trace.find((span) => span.name === 'POST /graphql');
    expect(http?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(attribute(http!, 'http.response.status_code')).toEqual({ intValue: 200 });
    const operation = trace.find((span) => span.name === 'query Company');
    expect(operation?.parentSpanId).toBe(http!.spanId);
    expect(attribute(operation!, 'graphql.operation.name')).toEqual({ stringValue: 'Company' });
    const statements = trace.filter((span) => attribute(span, 'db.system.name') !== undefined);
    expect(statements.length).toBeGreaterThanOrEqual(1);
    for (const statement of statements) expect(statement.parentSpanId).toBe(http!.spanId);
    // The statement that read the company (one look-ahead statement, or the resolvers' select).
    expect(statements.some((span) => /\bfrom "?companies\b/.test(String(attribute(span, 'db.query.text')?.stringValue)))).toBe(true);
  });
});
