import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKED_UP_TABLES, DERIVED_TABLES, TRANSIENT_TABLES } from '../src/backup/backup-file.js';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { createTestDatabase, engine, preparePgliteDataDir, type TestDatabase } from '@minergraph/test-support';
import { query, runCli, servingUrl, type CliRun } from './support/process.js';

/** Every fact written through the API carries its source (issue 12); these tests are about other things. */

// The README's backup: taken by the CLI while the server runs and writes, restored into a new
// database that then answers exactly as the original did at the instant of the backup.
const FOUNDING_STORY = `{
  company(ticker: "CANG") {
    name
    holdings(on: "2026-02-09") { btc valueUsd anchor { on btc source { title url } } }
    treasuryFlow(from: "2026-01-01", to: "2026-01-31") { openingBtc minedBtc soldBtc closingBtc unexplainedBtc }
    treasuryTransactions(first: 1, filter: { kinds: [SOLD] }) { edges { node { btc usd averagePriceUsd occurredOn source { publisher } } } }
    loans { repaidUsd outstandingUsd ltv marginCallPriceUsd repayments { amountUsd fundedBy { btc } } }
  }
  asset(symbol: "BTC") { allTimeHigh { at priceUsd } drawdownFromAllTimeHigh }
}`;
const CANDLES =
  '{ asset(symbol: "BTC") { candles(from: "2030-01-01T00:00:00Z", to: "2030-01-04T00:00:00Z", interval: DAY) { start open high low close volume } } }';

let dir: string;
const databases: TestDatabase[] = [];
let source: Record<string, string | undefined>;
let url: string;
let key: string;
const servers: CliRun[] = [];

/** Where a new, empty database is: a new directory, or a new PostgreSQL database. */
async function newTarget(name: string): Promise<Record<string, string | undefined>> {
  if (engine === 'pglite') return { MINERGRAPH_DATA_DIR: join(dir, name), DATABASE_URL: '' };
  const database = await createTestDatabase('empty');
  databases.push(database);
  return { DATABASE_URL: database.url };
}

async function cli(env: Record<string, string | undefined>, ...args: string[]) {
  const run = runCli(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

async function serve(env: Record<string, string | undefined>): Promise<string> {
  const run = runCli(['serve'], env);
  servers.push(run);
  return servingUrl(run);
}

async function write(source: string, variables: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: source, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Opens a database the way the CLI does: through the socket of the server that holds it. */
function open(env: Record<string, string | undefined>): Promise<DatabaseHandle> {
  return openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.MINERGRAPH_DATA_DIR! });
}

/** Every row of every table, the price_days and price_hours rollups and where each identity sequence stands. */
async function contents(env: Record<string, string | undefined>) {
  const database = await open(env);
  try {
    const tables: Record<string, string[]> = {};
    for (const table of [...BACKED_UP_TABLES.map((entry) => entry.name), ...DERIVED_TABLES]) {
      const { rows } = await sql<{
        line: string;
      }>`select to_json(t)::text as line from ${sql.table(table)} t order by to_json(t)::text`.execute(database.db);
      tables[table] = rows.map((row) => row.line);
    }
    const { rows: sequences } = await sql<{ sequencename: string; last_value: string | null }>`
      select sequencename, last_value::text from pg_sequences where schemaname = 'public' order by sequencename`.execute(database.db);
    const { rows: migrations } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
    return { tables, sequences, migrations: migrations.map((row) => row.name) };
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-backup-'));
  if (engine === 'pglite') {
    source = { MINERGRAPH_DATA_DIR: join(dir, 'source'), DATABASE_URL: '' };
    await preparePgliteDataDir(source.MINERGRAPH_DATA_DIR!);
  } else {
    const database = await createTestDatabase('seeded');
    databases.push(database);
    source = { DATABASE_URL: database.url };
  }
  url = await serve(source);

  const created = await cli(source, 'keys', 'create', '--role', 'editor', '--name', 'backup-bot');
  key = created.stdout.trim();
  const csv = join(dir, 'btc.csv');
  writeFileSync(
    csv,
    'at,open,high,low,close,volume\n2030-01-02T00:00:00Z,1,3,0.5,2,10\n2030-01-02T12:00:00Z,2,4,1.5,3.25,11\n2030-01-03T00:00:00Z,3.25,5,3,4.125,0.5\n',
  );
  expect((await cli(source, 'prices', 'import', csv, '--symbol', 'BTC')).code).toBe(0);
  const { company } = await query<{ company: { id: string } }>(url, '{ company(ticker: "CANG") { id } }');
  const reported = await write(
    'mutation ($input: RecordProductionReportInput!) { recordProductionReport(input: $input) { report { id } userErrors { message } } }',
    {
      input: {
        companyId: company.id,
        // A month the seeded data files do not report (CANG.yaml has February 2026).
        periodStart: '2026-04-01',
        periodEnd: '2026-04-30',
        minedBtc: '431.12345678',
        operatingHashrateEh: '36.5',
        source: { title: 'Cango Bitcoin mining update, April 2026', url: 'https://example.com/cango-2026-04' },
        idempotencyKey: 'cang-2026-04',
      },
    },
  );
  expect(reported.recordProductionReport.userErrors).toEqual([]);
}, 180_000);

afterAll(async () => {
  for (const run of servers) run.child.kill('SIGTERM');
  await Promise.all(servers.map((run) => run.exited));
  for (const database of databases) await database.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe(`backup and restore on ${engine}`, () => {
  it('a backup taken beside the running server restores into a new database that holds the same rows and answers the same', async () => {
    const file = join(dir, 'quiet.jsonl.gz');
    const backup = await cli(source, 'backup', file);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(
      new RegExp(`^Backed up 1[0-9][0-9] rows of 16 tables to ${file} \\([0-9,]+ bytes\\) in [0-9.]+ s\\.\\n$`),
    );
    const original = await contents(source);

    const target = await newTarget('restored');
    const restored = await cli(target, 'restore', file);
    expect(restored.code).toBe(0);
    const total = BACKED_UP_TABLES.reduce((sum, { name }) => sum + original.tables[name]!.length, 0);
    expect(restored.stdout).toMatch(new RegExp(`^Restored ${total} rows of 16 tables from ${file} \\(made \\S+ on ${engine}\\) into `));

    const copy = await serve(target);
    expect(await contents(target)).toEqual(original);
    expect(original.tables.price_days).toHaveLength(13); // the seed's eleven price days (ten BTC, one CANG) and the two the CSV adds
    expect(original.tables.idempotency_keys).toHaveLength(1);
    expect(await query(copy, FOUNDING_STORY)).toEqual(await query(url, FOUNDING_STORY));
    expect(await query(copy, CANDLES)).toEqual({
      asset: {
        candles: [
          { start: '2030-01-02T00:00:00.000Z', open: '1', high: '4', low: '0.5', close: '3.25', volume: '21' },
          { start: '2030-01-03T00:00:00.000Z', open: '3.25', high: '5', low: '3', close: '4.125', volume: '0.5' },
        ],
      },
    });
    expect(await query(copy, CANDLES)).toEqual(await query(url, CANDLES));
  });

  it('a backup taken while the server writes holds every write acknowledged before it began, and no write without the ones before it', async () => {
    const acknowledged: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n += 1) {
        const symbol = `W${n}`;
        const result = await write(
          'mutation ($input: CreateAssetInput!) { createAsset(input: $input) { asset { symbol } userErrors { message } } }',
          {
            input: { symbol, name: `Write ${n}`, kind: 'CRYPTO' },
          },
        );
        expect(result.createAsset.userErrors).toEqual([]);
        acknowledged.push(symbol);
      }
    })();
    while (acknowledged.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = [...acknowledged];
    const file = join(dir, 'busy.jsonl.gz');
    const backup = await cli(source, 'backup', file);
    writing = false;
    await writer;
    expect(backup.code).toBe(0);
    // Writes went on while the backup ran; the ones after its snapshot are simply not in it.
    expect(acknowledged.length).toBeGreaterThan(before.length);

    const target = await newTarget('restored-busy');
    expect((await cli(target, 'restore', file)).code).toBe(0);
    const database = await open(target);
    try {
      const symbols = (await database.db.selectFrom('assets').select('symbol').where('symbol', 'like', 'W%').orderBy('id').execute()).map(
        (row) => row.symbol,
      );
      expect(symbols.slice(0, before.length)).toEqual(before);
      expect(symbols).toEqual(acknowledged.slice(0, symbols.length));
    } finally {
      await database.close();
    }
  });

  it('restore refuses a database that already holds data, in one sentence, and changes nothing', async () => {
    const before = await contents(source);
    const refused = await cli(source, 'restore', join(dir, 'quiet.jsonl.gz'));
    const where = engine === 'pglite' ? source.MINERGRAPH_DATA_DIR : '\\S+';
    const variable = engine === 'pglite' ? 'MINERGRAPH_DATA_DIR at a new directory' : 'DATABASE_URL at an empty database';
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      new RegExp(
        `^The database in ${where}.* already holds data \\(meta has rows\\): restore only into a new one \\(point ${variable}\\)\\.\\n$`,
      ),
    );
    expect(await contents(source)).toEqual(before);
  });

  it('a file cut short, or not a backup at all, is refused in one sentence before the database is touched', async () => {
    const whole = readFileSync(join(dir, 'quiet.jsonl.gz'));
    const cut = join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, whole.subarray(0, whole.length - 20));
    const target = await newTarget('never-created');

    const truncated = await cli(target, 'restore', cut);
    expect(truncated).toEqual({
      code: 2,
      stdout: '',
      stderr: `${cut} is not a complete MinerGraph backup (unexpected end of file); nothing was restored.\n`,
    });

    const csv = join(dir, 'btc.csv');
    expect(await cli(target, 'restore', csv)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${csv} is not a complete MinerGraph backup (incorrect header check); nothing was restored.\n`,
    });
    expect(await cli(target, 'restore', join(dir, 'missing.jsonl.gz'))).toEqual({
      code: 2,
      stdout: '',
      stderr: `${join(dir, 'missing.jsonl.gz')} does not exist; nothing was restored.\n`,
    });

    if (engine === 'pglite') {
      expect(existsSync(target.MINERGRAPH_DATA_DIR!)).toBe(false);
    } else {
      const database = await open(target);
      try {
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(database.db);
        expect(rows[0]!.n).toBe(0);
      } finally {
        await database.close();
      }
    }
  });

  it('backup never overwrites a file, and says so in one sentence', async () => {
    const file = join(dir, 'quiet.jsonl.gz');
    expect(await cli(source, 'backup', file)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${file} exists already: choose a new file name for the backup.\n`,
    });
  });

  it.runIf(engine === 'postgres')(
    "the README's pg_dump and pg_restore, run beside the server, copy every row, the rollup and the sequences",
    async () => {
      const file = join(dir, 'minergraph.dump');
      execFileSync('pg_dump', ['--format=custom', `--file=${file}`, source.DATABASE_URL!]);
      const target = await newTarget('pg-restored');
      execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${target.DATABASE_URL}`, file]);
      expect(await contents(target)).toEqual(await contents(source));
    },
  );

  it('every table of the schema is either in a backup, rebuilt from one, or passing state', async () => {
    const database = await open(source);
    try {
      const { rows } = await sql<{ name: string }>`
        select table_name as name from information_schema.tables where table_schema = 'public' order by table_name`.execute(database.db);
      expect(rows.map((row) => row.name)).toEqual(
        [
          ...BACKED_UP_TABLES.map((entry) => entry.name),
          ...DERIVED_TABLES,
          ...TRANSIENT_TABLES,
          'kysely_migration',
          'kysely_migration_lock',
        ].sort(),
      );
    } finally {
      await database.close();
    }
  });
});
