import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/config.js';
import { createServer, type MinerGraphServer } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { createApiKey } from '../src/repositories/api-key.repository.js';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';

// The request log as an operator reads it: one JSON line per request, with what is needed to
// find a request again and nothing a log must not hold (headers, keys).
let database: TestDatabase;
let server: MinerGraphServer;
let url: string;
let editorKey: string;
const lines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase('seeded');
  editorKey = (await createApiKey(database.db, 'log-test-editor', 'editor')).key;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  server = await createServer({
    database,
    logger: createLogger('info', false, destination),
    limits: { ...DEFAULT_LIMITS, maxBodyBytes: 1000 },
  });
  url = await server.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await server.close();
  await database.destroy();
});

/** The lines logged for one request id, once the response has been logged. */
async function logged(requestId: string): Promise<Record<string, unknown>[]> {
  const ofRequest = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.requestId === requestId);
  for (let attempt = 0; attempt < 100 && ofRequest().length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return ofRequest();
}

function rawLines(requestId: string): string[] {
  return lines.filter((line) => line.includes(`"requestId":"${requestId}"`));
}

const post = (requestId: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify(body),
  });

const FIELDS = [
  'level',
  'time',
  'service',
  'requestId',
  'method',
  'path',
  'status',
  'durationMs',
  'operationName',
  'errorCodes',
  'apiKey',
  'msg',
];

describe(`request log lines on ${engine}`, () => {
  it("are one line per request with exactly its id, method, path, status, duration, operation, error codes and the key's name", async () => {
    const response = await post(
      'log-ok',
      { query: 'query CompanyName { company(ticker: "CANG") { name } }' },
      { authorization: `Bearer ${editorKey}` },
    );
    expect(response.status).toBe(200);
    const [line, ...more] = await logged('log-ok');
    expect(more).toEqual([]);
    expect(Object.keys(line!)).toEqual(FIELDS);
    const durationMs = line!.durationMs as number;
    expect(Number.isInteger(durationMs) && durationMs >= 0).toBe(true);
    expect(line).toEqual({
      level: 30,
      time: line!.time,
      service: 'minergraph',
      requestId: 'log-ok',
      method: 'POST',
      path: '/graphql',
      status: 200,
      durationMs,
      operationName: 'CompanyName',
      errorCodes: [],
      apiKey: 'log-test-editor',
      msg: `POST /graphql CompanyName 200 in ${durationMs} ms`,
    });
  });

  it('never hold a header or the key itself', async () => {
    await post('log-secret', { query: '{ __typename }' }, { authorization: `Bearer ${editorKey}`, cookie: 'session=cookie-secret' });
    await logged('log-secret');
    const [raw] = rawLines('log-secret');
    expect(raw).toBeDefined();
    expect(raw).not.toContain(editorKey);
    expect(raw).not.toContain(editorKey.slice(3, 20));
    expect(raw).not.toMatch(/authorization|cookie|headers|user-agent|content-type/i);
  });

  it('name the error codes the client got: a refused key, an unreadable Authorization header, a CSRF refusal, a body too large', async () => {
    await post('log-unknown-key', { query: 'query Who { __typename }' }, { authorization: 'Bearer mg_not-a-key' });
    const [unknownKey] = await logged('log-unknown-key');
    expect(unknownKey).toMatchObject({ status: 401, operationName: 'Who', errorCodes: ['UNAUTHENTICATED'], apiKey: null });
    expect(unknownKey!.msg).toBe(`POST /graphql Who 401 in ${unknownKey!.durationMs} ms [UNAUTHENTICATED]`);
    expect(rawLines('log-unknown-key')[0]).not.toContain('mg_not-a-key');

    await post('log-bad-header', { query: '{ __typename }' }, { authorization: 'Token abc' });
    expect(await logged('log-bad-header')).toMatchObject([
      { status: 401, operationName: null, errorCodes: ['UNAUTHENTICATED'], apiKey: null },
    ]);

    await fetch(`${url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-request-id': 'log-csrf' } });
    expect(await logged('log-csrf')).toMatchObject([{ method: 'GET', path: '/graphql', status: 400, errorCodes: ['BAD_REQUEST'] }]);

    await post('log-too-large', { query: `{ __typename } # ${'x'.repeat(2000)}` });
    expect(await logged('log-too-large')).toMatchObject([{ status: 413, operationName: null, errorCodes: ['PAYLOAD_TOO_LARGE'] }]);
  });

  it('list every error of a response in order', async () => {
    await post('log-two-errors', { query: 'query Twice { nope alsoNope }' });
    expect(await logged('log-two-errors')).toMatchObject([
      { status: 400, errorCodes: ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED'] },
    ]);
  });

  it('are not written for /healthz and /readyz, which orchestrators poll', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(url.replace(/\/graphql$/, path), { headers: { 'x-request-id': `log-${path.slice(1)}` } });
      expect(response.status).toBe(200);
    }
    await post('log-after-probes', { query: '{ __typename }' });
    await logged('log-after-probes');
    expect(rawLines('log-healthz')).toEqual([]);
    expect(rawLines('log-readyz')).toEqual([]);
  });
});
