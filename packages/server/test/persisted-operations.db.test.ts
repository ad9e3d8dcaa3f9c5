import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/http/persisted.js';
import { type TestServer, useTestDatabase } from '@minergraph/test-support';

const HOLDINGS = 'query Holdings($on: Date) { company(ticker: "CANG") { holdings(on: $on) { btc } } }';
const manifest = new Map([[sha256(HOLDINGS), HOLDINGS]]);

const used = useTestDatabase();
let open: TestServer;
let locked: TestServer;

beforeAll(async () => {
  open = await used.serve({ manifest });
  locked = await used.serve({ manifest, persistedOnly: true });
});

async function post(server: TestServer, body: Record<string, unknown>) {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

const byHash = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables: { on: '2026-02-09' } });

describe('persisted operations', () => {
  it('run by hash alone, without sending the document', async () => {
    for (const server of [open, locked]) {
      expect(await post(server, byHash(sha256(HOLDINGS)))).toEqual({
        status: 200,
        body: { data: { company: { holdings: { btc: '3023.6' } } } },
      });
    }
  });

  it('in persisted-only mode, refuse any other document, sent whole or registered by hash', async () => {
    const other = '{ company(ticker: "CANG") { name } }';
    const whole = await post(locked, { query: other });
    expect(whole.status).toBe(400);
    expect(whole.body.errors.map((e: any) => e.extensions.code)).toEqual(['PERSISTED_QUERY_REQUIRED']);

    const registering = await post(locked, { query: other, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(other) } } });
    expect(registering.body.errors.map((e: any) => e.extensions.code)).toEqual(['PERSISTED_QUERY_REQUIRED']);
    const afterwards = await post(locked, byHash(sha256(other)));
    expect(afterwards.body.errors.map((e: any) => e.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);

    // The manifest's own document may still be sent whole.
    expect((await post(locked, { query: HOLDINGS, variables: { on: '2026-02-09' } })).status).toBe(200);
  });

  it('otherwise, accept any document, and register new ones by hash as automatic persisted queries', async () => {
    const other = '{ company(ticker: "CANG") { ticker } }';
    expect((await post(open, { query: other })).body).toEqual({ data: { company: { ticker: 'CANG' } } });
    expect((await post(open, byHash(sha256(other)))).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    await post(open, { query: other, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(other) } } });
    expect((await post(open, byHash(sha256(other)))).body).toEqual({ data: { company: { ticker: 'CANG' } } });
  });
});
