import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/process.js';

// What a user sees when the environment is wrong: one sentence naming what to change, exit 2,
// no stack (unless LOG_LEVEL=debug). Unexpected failures exit 1 and say where the log is.
const postgres = process.env.TEST_DATABASE_URL;
let dir: string;
let occupied: Server;
let occupiedPort: number;
let closedPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-failures-'));
  occupied = createServer();
  await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
  occupiedPort = (occupied.address() as { port: number }).port;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(() => {
  occupied.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string | undefined>) {
  const run = runCli(args, { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', ...env });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('an unexpected failure', () => {
  it('exits 1, logs the detail on standard output and says so in one line', async () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'PG_VERSION'), '99\n');
    const run = await cli(['keys', 'list'], { MINERGRAPH_DATA_DIR: broken });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'MinerGraph stopped on an unexpected error: PGlite failed to initialize properly. The log on standard output has the details.\n',
    );
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      level: 60,
      msg: 'unexpected error',
      err: { message: 'PGlite failed to initialize properly' },
    });
  });
});

describe('failures a user can fix', () => {
  it('PostgreSQL refusing connections names its host and port and DATABASE_URL', async () => {
    expect(await cli(['migrate'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/test` })).toEqual({
      code: 2,
      stdout: '',
      stderr: `Cannot reach PostgreSQL at 127.0.0.1:${closedPort}: the connection was refused. Start PostgreSQL there, or fix the host and port in DATABASE_URL.\n`,
    });
  });

  it('a PostgreSQL host that does not resolve names the host', async () => {
    const run = await cli(['serve'], { DATABASE_URL: 'postgres://postgres@no-such-host.invalid:5432/test' });
    expect([run.code, run.stderr]).toEqual([
      2,
      'Cannot reach PostgreSQL: the host no-such-host.invalid does not resolve. Fix the host in DATABASE_URL.\n',
    ]);
  });

  it.runIf(postgres)('a missing database says how to create it', async () => {
    expect(await cli(['keys', 'list'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/minergraph_no_such_database' })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'PostgreSQL at 127.0.0.1:5432 has no database "minergraph_no_such_database". Create it (createdb minergraph_no_such_database), or name another in DATABASE_URL.\n',
    });
  });

  it.runIf(postgres)('a login PostgreSQL refuses names the user', async () => {
    expect(await cli(['seed'], { DATABASE_URL: 'postgres://no_such_role@127.0.0.1:5432/test' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'PostgreSQL at 127.0.0.1:5432 refused no_such_role: authentication failed. Fix the user or password in DATABASE_URL.\n',
    });
  });

  it('a port in use names PORT', async () => {
    const run = await cli(['serve'], { PORT: String(occupiedPort), MINERGRAPH_DATA_DIR: join(dir, 'port-data') });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `Port ${occupiedPort} on 127.0.0.1 is already in use by another program. Stop it, or set PORT to a free port (PORT=0 picks one).\n`,
    );
  });

  it('a data directory that cannot be created names MINERGRAPH_DATA_DIR', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const target = join(file, 'data');
    expect(await cli(['keys', 'list'], { MINERGRAPH_DATA_DIR: target })).toEqual({
      code: 2,
      stdout: '',
      stderr: `Cannot create or write the data directory ${target} (EEXIST: a file is in the way). Set MINERGRAPH_DATA_DIR to a writable directory.\n`,
    });
  });

  it('CoinGecko refusing the connection fails at once, without retrying, and names COINGECKO_BASE_URL', async () => {
    const run = await cli(['prices', 'sync', 'BTC', '--from', '2026-01-01', '--to', '2026-01-02'], {
      COINGECKO_BASE_URL: `http://127.0.0.1:${closedPort}`,
      MINERGRAPH_DATA_DIR: join(dir, 'sync-data'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('waiting');
    expect(run.stderr).toContain(
      `Cannot reach CoinGecko at 127.0.0.1:${closedPort}: the connection was refused. Check your network, or COINGECKO_BASE_URL.\n`,
    );
  });

  it('usage mistakes exit 2 with the parser message', async () => {
    const run = await cli(['keys', 'create', '--role', 'boss', '--name', 'x'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: option '--role <role>' argument 'boss' is invalid\. Allowed choices are reader, editor, admin\.\n/);
  });

  it('shows the stack only with LOG_LEVEL=debug', async () => {
    const run = await cli(['migrate'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/test`, LOG_LEVEL: 'debug' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Cannot reach PostgreSQL at .*\n.*ECONNREFUSED[\s\S]*\n\s+at /);
  });
});
