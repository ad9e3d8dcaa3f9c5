import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';
import { runCli, servingUrl, type CliRun } from './support/process.js';

// `serve` with MINERGRAPH_WORKERS: several processes on one port, on PostgreSQL only.
let postgres: TestDatabase | undefined;

beforeAll(async () => {
  if (engine === 'postgres') postgres = await createTestDatabase('empty');
});
afterAll(async () => {
  await postgres?.destroy();
});

/** One request on a connection of its own (the cluster hands each connection to a worker in turn); the id of its log line. */
function requestOnNewConnection(url: string): Promise<{ requestId: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ requestId: String(response.headers['x-request-id']), body }));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query: '{ company(ticker: "CANG") { ticker } }' }));
  });
}

/** The pid on the log line of a request (each worker's lines carry its pid). */
function pidOf(run: CliRun, requestId: string): number {
  const line = run
    .stdout()
    .split('\n')
    .find((text) => text.includes(`"requestId":"${requestId}"`));
  if (!line) throw new Error(`no log line for request ${requestId}`);
  return (JSON.parse(line) as { pid: number }).pid;
}

async function pidsAnswering(run: CliRun, url: string, requests: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < requests; i += 1) {
    const { requestId, body } = await requestOnNewConnection(url);
    expect(JSON.parse(body)).toEqual({ data: { company: { ticker: 'CANG' } } });
    // The line is written as the answer is sent; give the pipe a moment.
    await new Promise((resolve) => setTimeout(resolve, 20));
    pids.add(pidOf(run, requestId));
  }
  return pids;
}

describe.skipIf(engine !== 'postgres')('serve with MINERGRAPH_WORKERS=2 on PostgreSQL', () => {
  it('answers from two processes on one port, replaces one that dies, and stops all of them on SIGTERM with status 0', async () => {
    const run = runCli(['serve'], { DATABASE_URL: postgres!.url, MINERGRAPH_WORKERS: '2' });
    const url = await servingUrl(run);
    // Both workers have listened once each logged its URL.
    const deadline = Date.now() + 30_000;
    while ((run.stdout().match(/MinerGraph is serving GraphQL/g) ?? []).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(run.stdout()).toContain('"seed":"loaded"');

    const pids = await pidsAnswering(run, url, 6);
    expect(pids.size).toBe(2);
    expect(pids.has(run.child.pid!)).toBe(false);

    const [victim, survivor] = [...pids];
    process.kill(victim!, 'SIGKILL');
    const replaced = Date.now() + 30_000;
    while ((run.stdout().match(/MinerGraph is serving GraphQL/g) ?? []).length < 3 && Date.now() < replaced)
      await new Promise((r) => setTimeout(r, 100));
    expect(run.stdout()).toContain(
      `"pid":${victim},"code":null,"signal":"SIGKILL","msg":"a server process died: starting another in its place"`,
    );
    const after = await pidsAnswering(run, url, 6);
    expect(after.size).toBe(2);
    expect(after.has(survivor!)).toBe(true);
    expect(after.has(victim!)).toBe(false);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('"msg":"stopped cleanly"');
    // Every worker stopped on its own, gracefully, before the primary.
    expect((run.stdout().match(/"pid":\d+,[^\n]*"msg":"stopped cleanly"/g) ?? []).length).toBe(2);
  });
});

describe.skipIf(engine !== 'pglite')('serve with MINERGRAPH_WORKERS=2 on PGlite', () => {
  it('refuses, in one sentence naming the variable, and starts nothing', async () => {
    const run = runCli(['serve'], { DATABASE_URL: '', MINERGRAPH_DATA_DIR: 'memory://', MINERGRAPH_WORKERS: '2' });
    expect(await run.exited).toBe(2);
    expect(run.stderr().trim()).toBe(
      'Invalid configuration:\n  MINERGRAPH_WORKERS="2": the embedded PGlite database can be served by one process only; set DATABASE_URL to a PostgreSQL database to run several, or set MINERGRAPH_WORKERS=1.',
    );
    expect(run.stdout()).toBe('');
  });
});
