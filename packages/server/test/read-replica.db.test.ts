import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type MinerGraphClient } from '@minergraph/sdk';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { openReadReplica, type ReadReplica } from '../src/db/read-replica.js';
import { createServer, type MinerGraphServer } from '../src/http/app.js';
import { createMetrics, type Metrics } from '../src/http/metrics.js';
import { createLogger } from '../src/logger.js';
import { createApiKey } from '../src/repositories/api-key.repository.js';
import { prepareDatabase } from '../src/seed/prepare.js';
import { engine } from '@minergraph/test-support';
import { replicationUnavailable, startReplication, type Replication } from './support/replication.js';

// DATABASE_READ_URL against a real primary and a real streaming replica made for this file.
// Pausing the replica's replay (pg_wal_replay_pause) makes it lag on purpose: a read it serves
// then gives the old answer, which is how the test knows who served it.
const WAIT_MS = 300;
const unavailable = engine === 'postgres' ? replicationUnavailable() : 'the read replica is PostgreSQL only';
if (unavailable !== null && engine === 'postgres') console.warn(`read-replica.db.test.ts skipped: ${unavailable}`);

let replication: Replication;
let primary: DatabaseHandle;
let replica: ReadReplica;
let metrics: Metrics;
let server: MinerGraphServer;
let url: string;
let editorKey: string;
const warnings: string[] = [];

beforeAll(async () => {
  if (unavailable !== null) return;
  replication = await startReplication();
  primary = await openDatabase({ databaseUrl: replication.primaryUrl });
  await prepareDatabase(primary.db);
  editorKey = (await createApiKey(primary.db, 'replica-test', 'editor')).key;
  const logger = createLogger('warn', false, { write: (line: string) => void warnings.push(line) });
  replica = await openReadReplica(primary, { url: replication.replicaUrl, maxWaitMs: WAIT_MS, logger });
  metrics = createMetrics();
  server = await createServer({ database: primary, readReplica: replica, logger, metrics: { metrics, open: true, token: null } });
  url = await server.listen(0, '127.0.0.1');
  await replication.caughtUp();
});

afterAll(async () => {
  await server?.close();
  await replica?.close();
  await primary?.close();
  replication?.destroy();
});

async function reads(): Promise<{ primary: number; replica: number }> {
  const counter = await metrics.registry.getSingleMetric('minergraph_graphql_reads_total')!.get();
  const of = (target: string) => counter.values.find((value) => value.labels.target === target)?.value ?? 0;
  return { primary: of('primary'), replica: of('replica') };
}

/** POSTs a query by hand, with or without the client's last write position. */
async function post(query: string, minLsn?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(minLsn ? { 'minergraph-min-lsn': minLsn } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string }[] } };
}

const companyName = (ticker: string) => `{ company(ticker: "${ticker}") { name } }`;

describe.skipIf(unavailable !== null)('reads on a streaming replica (DATABASE_READ_URL)', () => {
  it('serves a query from the replica: while its replay is paused, a row written on the primary is not there yet', async () => {
    await replication.onReplica('select pg_wal_replay_pause()');
    try {
      await primary.db.insertInto('companies').values({ name: 'Lagging Mining', ticker: 'LAGG' }).execute();
      const before = await reads();
      expect(await post(companyName('LAGG'))).toEqual({ status: 200, body: { data: { company: null } } });
      expect(await post(companyName('CANG'))).toEqual({ status: 200, body: { data: { company: { name: 'Cango Inc.' } } } });
      expect(await reads()).toEqual({ primary: before.primary, replica: before.replica + 2 });
    } finally {
      await replication.onReplica('select pg_wal_replay_resume()');
    }
    await replication.caughtUp();
    expect(await post(companyName('LAGG'))).toEqual({ status: 200, body: { data: { company: { name: 'Lagging Mining' } } } });
  });

  it("answers the SDK's read after its own write even while the replica does not replay: the read goes to the primary", async () => {
    const client: MinerGraphClient = createClient({ url, apiKey: editorKey });
    await replication.onReplica('select pg_wal_replay_pause()');
    try {
      const created = await client.createCompany({ input: { name: 'Own Write Mining', ticker: 'OWNW' } });
      expect(created.createCompany.company?.name).toBe('Own Write Mining');
      const before = await reads();
      expect(await client.request<{ company: { name: string } | null }>(companyName('OWNW'))).toEqual({
        company: { name: 'Own Write Mining' },
      });
      // The replica had WAIT_MS to replay the write; paused, it could not, so the primary answered.
      expect(await reads()).toEqual({ primary: before.primary + 1, replica: before.replica });
      // Another client, which has not written, is served by the lagging replica.
      expect(await post(companyName('OWNW'))).toEqual({ status: 200, body: { data: { company: null } } });
    } finally {
      await replication.onReplica('select pg_wal_replay_resume()');
    }
  });

  it('lets a read wait for the replica to replay the write it asks for, then serves it from the replica', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${editorKey}` },
      body: JSON.stringify({
        query: 'mutation { createCompany(input: { name: "Waited For Mining", ticker: "WAIT" }) { company { name } } }',
      }),
    });
    expect(await response.json()).toEqual({ data: { createCompany: { company: { name: 'Waited For Mining' } } } });
    const position = response.headers.get('minergraph-wal-lsn');
    expect(position).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    await replication.onReplica('select pg_wal_replay_pause()');
    const before = await reads();
    // Replay resumes while the read waits. (The resume is awaited before the test ends: the
    // replica may have replayed the write before the pause, and the next tests stop it.)
    const resumed = new Promise((resolve) => setTimeout(resolve, 50)).then(() => replication.onReplica('select pg_wal_replay_resume()'));
    expect(await post(companyName('WAIT'), position!)).toEqual({ status: 200, body: { data: { company: { name: 'Waited For Mining' } } } });
    await resumed;
    expect(await reads()).toEqual({ primary: before.primary, replica: before.replica + 1 });
  });

  it('tells a browser page the write position header, and refuses a malformed one naming the header', async () => {
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'minergraph-min-lsn',
      },
    });
    expect(preflight.headers.get('access-control-allow-headers')).toContain('minergraph-min-lsn');
    const answer = await fetch(url, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' },
      body: JSON.stringify({ query: companyName('CANG') }),
    });
    expect(answer.headers.get('access-control-expose-headers')).toBe('Retry-After,X-Request-Id,MinerGraph-Wal-Lsn');
    expect(await post(companyName('CANG'), 'yesterday')).toEqual({
      status: 400,
      body: {
        errors: [
          expect.objectContaining({
            message:
              "The MinerGraph-Min-Lsn header must be a WAL position as a response's MinerGraph-Wal-Lsn header gives it, such as 0/16B3748.",
          }),
        ],
      },
    });
  });

  it('reports the replica in /readyz, and keeps answering from the primary once the replica is down', async () => {
    const readyz = url.replace(/\/graphql$/, '/readyz');
    const ready = (await (await fetch(readyz)).json()) as { status: string; readReplica: { status: string; replayLsn: string } };
    expect(ready).toMatchObject({
      status: 'ready',
      database: 'postgres',
      readReplica: { status: 'streaming', location: replication.replicaUrl },
    });
    expect(ready.readReplica.replayLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);

    replication.stopReplica();
    const before = await reads();
    for (const ticker of ['CANG', 'OWNW', 'CANG']) {
      const name = ticker === 'CANG' ? 'Cango Inc.' : 'Own Write Mining';
      expect(await post(companyName(ticker)), warnings.join('')).toEqual({ status: 200, body: { data: { company: { name } } } });
    }
    // Its idle connections broke, and a new one was refused: every read went to the primary.
    expect(await reads(), warnings.join('')).toEqual({ primary: before.primary + 3, replica: before.replica });
    expect(warnings.filter((line) => line.includes('the read replica does not answer'))).toHaveLength(1);
    expect(await fetch(readyz).then((response) => response.json())).toEqual({
      status: 'ready',
      database: 'postgres',
      migration: expect.any(String),
      readReplica: { status: 'unavailable', location: replication.replicaUrl, replayLsn: null },
    });
  });

  it('answers DATABASE_UNAVAILABLE with 503 once the primary is down too, not an internal error', async () => {
    replication.stopPrimary();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: companyName('CANG') }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors.map((error) => error.extensions.code)).toEqual(['DATABASE_UNAVAILABLE']);
  });
});
