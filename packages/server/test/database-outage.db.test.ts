import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { createServer } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import {
  createTestDatabase,
  engine,
  keyHeaders,
  postgresUrl,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '@minergraph/test-support';
import { runCli, servingUrl } from './support/process.js';

// What a failover, a pooler's restart or an idle timeout does to the server's connections:
// PostgreSQL ends them. The requests using them may fail, as DATABASE_UNAVAILABLE with 503;
// the process lives on and serves again by itself.

const CANG = '{ company(ticker: "CANG") { name } }';
const CANG_ANSWER = { company: { name: 'Cango Inc.' } };
const CREATE = `mutation ($symbol: String!) { createAsset(input: { symbol: $symbol, name: "Outage coin", kind: CRYPTO }) {
  asset { symbol } userErrors { code message } } }`;
const UNAVAILABLE_MESSAGE = 'The database is not answering right now; try again in a few seconds.';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'] };
}

/** An answer refused because the database was out of reach, exactly as clients see it. */
function expectUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).toBe('5');
  expect(answer.body.errors).toEqual([
    { message: UNAVAILABLE_MESSAGE, path: expect.any(Array), extensions: { code: 'DATABASE_UNAVAILABLE', requestId: expect.any(String) } },
  ]);
}

function isUnavailable(answer: Answer): boolean {
  return (
    answer.status === 503 &&
    answer.retryAfter === '5' &&
    answer.body.errors?.every((e) => e.extensions?.code === 'DATABASE_UNAVAILABLE') === true
  );
}

async function asAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: postgresUrl() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const nameOf = (url: string) => new URL(url).pathname.slice(1);

/** Ends every connection to the database but the caller's, as a failover does; how many it ended. */
async function terminateBackends(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  return rows[0]!.n;
}

/** pg_terminate_backend only asks; waits until the backends are gone (and have said so to their clients). */
async function untilNoBackends(admin: pg.Client, database: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    if (rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the backends of ${database} did not end`);
}

/** Waits until `check` holds, polling; fails with `what` if it never does. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/**
 * The server answers again, at the first request: a pooled connection that PostgreSQL ended
 * while idle is not the request's loss (see db/live-connections.ts).
 */
async function servesAgain(url: string): Promise<void> {
  const answer = await post(url, CANG);
  expect([answer.status, answer.body]).toEqual([200, { data: CANG_ANSWER }]);
}

describe('a database at a port where nothing listens', () => {
  let handle: DatabaseHandle;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    handle = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/minergraph' });
    const server = await createServer({ database: handle, logger: createLogger('silent', false) });
    url = await server.listen(0, '127.0.0.1');
    close = () => server.close();
  });

  afterAll(async () => {
    await close?.();
    await handle?.close();
  });

  it('answers a query and a mutation with DATABASE_UNAVAILABLE, HTTP 503 and Retry-After', async () => {
    expectUnavailable(await post(url, CANG));
    // The key lookup is the mutation's first use of the database.
    const write = await post(url, CREATE, { symbol: 'TSTOUT' }, { authorization: 'Bearer mg_some-editor-key' });
    expect(write.status).toBe(503);
    expect(write.retryAfter).toBe('5');
    expect(write.body.errors).toEqual([
      { message: UNAVAILABLE_MESSAGE, extensions: { code: 'DATABASE_UNAVAILABLE', requestId: expect.any(String) } },
    ]);
    const ready = await fetch(url.replace(/\/graphql$/, '/readyz'));
    expect([ready.status, await ready.json()]).toEqual([
      503,
      { status: 'unavailable', database: 'postgres', reason: 'The database does not answer.' },
    ]);
  });
});

describe.runIf(engine === 'postgres')('connections terminated by PostgreSQL', () => {
  let database: TestDatabase;
  let served: DatabaseHandle;
  let server: TestServer;
  const broken: Error[] = [];
  let editor: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('seeded');
    served = await openDatabase({ databaseUrl: database.url, onPoolError: (error) => broken.push(error) });
    server = await startTestServer({
      ...served,
      url: database.url,
      countStatements: database.countStatements,
      destroy: () => served.close(),
    });
    ({ headers: editor } = await keyHeaders(database, 'editor'));
  });

  afterAll(async () => {
    await server?.close();
    await served?.close();
    await database?.destroy();
  });

  it('terminating its idle connections does not stop the server; the pool reports them and the next query is answered', async () => {
    const warm = await Promise.all(Array.from({ length: 4 }, () => post(server.url, CANG)));
    expect(warm.map((answer) => [answer.status, answer.body.data])).toEqual(Array.from({ length: 4 }, () => [200, CANG_ANSWER]));
    const idle = served.pgPool!.idleCount;
    expect(idle).toBeGreaterThan(0);
    broken.length = 0;

    await asAdmin(async (admin) => {
      expect(await terminateBackends(admin, nameOf(database.url!))).toBeGreaterThanOrEqual(idle);
      await untilNoBackends(admin, nameOf(database.url!));
    });
    await eventually(() => served.pgPool!.idleCount === 0, 'the pool dropped its terminated connections');

    expect(broken).toHaveLength(idle);
    expect(broken.map((error) => (error as { code?: string }).code ?? error.message)).toEqual(Array.from({ length: idle }, () => '57P01'));
    const next = await post(server.url, CANG);
    expect([next.status, next.body]).toEqual([200, { data: CANG_ANSWER }]);
  });

  it('a read whose connection is terminated while it runs is sent again while the connection it was given had sat in the pool; a fresh connection terminated under it answers DATABASE_UNAVAILABLE with 503', async () => {
    await asAdmin(async (admin) => {
      // A lock held by another session keeps the server's query running until its backend is ended.
      const locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table companies in access exclusive mode');
        const idle = served.pgPool!.idleCount;
        let settled = false;
        const blocked = post(server.url, CANG).finally(() => (settled = true));
        // The read cannot tell a connection that died while idle from one ended under it: it is
        // resent on each pooled connection in turn, then on a fresh one, whose end is final.
        const ended = new Set<number>();
        while (!settled) {
          for (const pid of await waitingOnLock(admin, nameOf(database.url!))) {
            if (ended.has(pid)) continue;
            await admin.query('select pg_terminate_backend($1)', [pid]);
            ended.add(pid);
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expectUnavailable(await blocked);
        expect(ended.size).toBeGreaterThanOrEqual(1);
        expect(ended.size).toBeLessThanOrEqual(idle + 1);
      } finally {
        await locker.query('rollback');
        await locker.end();
      }
    });
    const next = await post(server.url, CANG);
    expect([next.status, next.body]).toEqual([200, { data: CANG_ANSWER }]);
  });

  it('a connection PostgreSQL ended while the process was busy, its goodbye unread, costs the next read nothing', async () => {
    await served.db.selectFrom('companies').select('ticker').execute(); // an idle connection in the pool
    const idle = served.pgPool!.idleCount;
    expect(idle).toBeGreaterThan(0);
    // psql, synchronously: the backends end and say so while this process's event loop is
    // blocked, so nothing reads their goodbye before the next query is sent on one of them.
    const name = nameOf(database.url!);
    const ended = execFileSync(
      'psql',
      [
        '-X',
        '-q',
        '-t',
        '-A',
        '-v',
        'ON_ERROR_STOP=1',
        '-d',
        postgresUrl(),
        '-c',
        `select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`,
        '-c',
        `do $$ begin
           while exists (select 1 from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()) loop
             perform pg_stat_clear_snapshot(); perform pg_sleep(0.01);
           end loop; end $$`,
      ],
      { encoding: 'utf8' },
    );
    expect(Number(ended.trim())).toBeGreaterThanOrEqual(idle);
    expect(served.pgPool!.idleCount).toBe(idle); // still in the pool: nothing has read the goodbye
    expect(await served.db.selectFrom('companies').select('ticker').execute()).toEqual([{ ticker: 'CANG' }]);
  });

  it('a write whose connection is terminated inside its transaction answers DATABASE_UNAVAILABLE with 503, not a userError, and writes nothing', async () => {
    await asAdmin(async (admin) => {
      const locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table assets in access exclusive mode');
        const blocked = post(server.url, CREATE, { symbol: 'TSTCUT' }, editor);
        await eventually(async () => (await waitingOnLock(admin, nameOf(database.url!))).length === 1, 'the write waits on the lock');
        const [pid] = await waitingOnLock(admin, nameOf(database.url!));
        await admin.query('select pg_terminate_backend($1)', [pid]);
        const answer = await blocked;
        expectUnavailable(answer);
        expect(answer.body.data).toBeNull();
      } finally {
        await locker.query('rollback');
        await locker.end();
      }
    });
    expect(await database.db.selectFrom('assets').select('symbol').where('symbol', '=', 'TSTCUT').execute()).toEqual([]);
    const again = await post(server.url, CREATE, { symbol: 'TSTCUT' }, editor);
    expect([again.status, again.body]).toEqual([200, { data: { createAsset: { asset: { symbol: 'TSTCUT' }, userErrors: [] } } }]);
  });

  it('under reads and writes, terminating every connection again and again: each answer is right or DATABASE_UNAVAILABLE 503', async () => {
    const answers: { kind: 'read' | 'write'; symbol?: string; answer: Answer }[] = [];
    let running = true;
    let written = 0;
    const reader = async () => {
      while (running) answers.push({ kind: 'read', answer: await post(server.url, CANG) });
    };
    const writer = async (lane: number) => {
      while (running) {
        const symbol = `TSTW${lane}X${(written += 1)}`;
        answers.push({ kind: 'write', symbol, answer: await post(server.url, CREATE, { symbol }, editor) });
      }
    };
    const traffic = [reader(), reader(), reader(), writer(1), writer(2)];
    let terminated = 0;
    await asAdmin(async (admin) => {
      for (let round = 0; round < 12; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 120));
        terminated += await terminateBackends(admin, nameOf(database.url!));
      }
    });
    running = false;
    await Promise.all(traffic);

    const wrong = answers.filter(({ kind, symbol, answer }) => {
      if (isUnavailable(answer)) return false;
      if (answer.status !== 200) return true;
      return kind === 'read'
        ? JSON.stringify(answer.body) !== JSON.stringify({ data: CANG_ANSWER })
        : JSON.stringify(answer.body) !== JSON.stringify({ data: { createAsset: { asset: { symbol }, userErrors: [] } } });
    });
    expect(wrong.map(({ answer }) => answer)).toEqual([]);
    expect(terminated).toBeGreaterThan(0);
    expect(broken.length).toBeGreaterThan(0);
    expect(answers.filter(({ answer }) => answer.status === 200).length).toBeGreaterThan(0);
    await servesAgain(server.url);
  });
});

describe.runIf(engine === 'postgres')('a database that stops accepting connections', () => {
  let database: TestDatabase;
  let served: DatabaseHandle;
  let server: TestServer;
  let editor: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('seeded');
    served = await openDatabase({ databaseUrl: database.url });
    server = await startTestServer({
      ...served,
      url: database.url,
      countStatements: database.countStatements,
      destroy: () => served.close(),
    });
    ({ headers: editor } = await keyHeaders(database, 'editor'));
  });

  afterAll(async () => {
    await server?.close();
    await served?.close();
    await database?.destroy();
  });

  it('answers queries and mutations DATABASE_UNAVAILABLE with 503 and Retry-After, then serves again by itself when it is back', async () => {
    const name = nameOf(database.url!);
    await asAdmin(async (admin) => {
      await admin.query(`alter database ${name} with allow_connections false`);
      await terminateBackends(admin, name);
      await untilNoBackends(admin, name);
    });
    try {
      expectUnavailable(await post(server.url, CANG));
      const write = await post(server.url, CREATE, { symbol: 'TSTDOWN' }, editor);
      expect(write.status).toBe(503);
      expect(write.retryAfter).toBe('5');
      expect(write.body.errors?.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
      const ready = await fetch(server.url.replace(/\/graphql$/, '/readyz'));
      expect(ready.status).toBe(503);
    } finally {
      await asAdmin((admin) => admin.query(`alter database ${name} with allow_connections true`));
    }
    const read = await post(server.url, CANG);
    expect([read.status, read.body]).toEqual([200, { data: CANG_ANSWER }]);
    const write = await post(server.url, CREATE, { symbol: 'TSTDOWN' }, editor);
    expect([write.status, write.body]).toEqual([200, { data: { createAsset: { asset: { symbol: 'TSTDOWN' }, userErrors: [] } } }]);
  });
});

describe.runIf(engine === 'postgres')('pnpm minergraph serve on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('seeded');
  });

  afterAll(async () => {
    await database?.destroy();
  });

  it('keeps running and serving while all its connections are terminated, again and again, under traffic', async () => {
    // One address sends all the traffic here: rate limits off, so every answer is about the database.
    const run = runCli(['serve'], {
      DATABASE_URL: database.url,
      MINERGRAPH_RATE_LIMIT_PER_ADDRESS: '0',
      MINERGRAPH_MAX_CONCURRENT_PER_CLIENT: '0',
    });
    try {
      const url = await servingUrl(run);
      const answers: Answer[] = [];
      let running = true;
      const client = async () => {
        while (running) answers.push(await post(url, CANG));
      };
      const traffic = [client(), client(), client(), client()];
      await asAdmin(async (admin) => {
        for (let round = 0; round < 8; round += 1) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          await terminateBackends(admin, nameOf(database.url!));
        }
      });
      running = false;
      await Promise.all(traffic);

      expect(run.child.exitCode).toBeNull();
      expect(
        answers.filter((answer) => !isUnavailable(answer) && !(answer.status === 200 && answer.body.data?.company?.name === 'Cango Inc.')),
      ).toEqual([]);
      expect(run.stdout()).toContain('a database connection broke; the pool opens a new one when needed');
      expect(run.stdout()).not.toContain('Unhandled');
      await servesAgain(url);
      expect(run.child.exitCode).toBeNull();
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  });
});

/** The backends of the database waiting on a lock: the server's, held up by a test's lock. */
async function waitingOnLock(admin: pg.Client, database: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = $1 and state = 'active' and wait_event_type = 'Lock'`,
    [database],
  );
  return rows.map((row) => row.pid);
}
