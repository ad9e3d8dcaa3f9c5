import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToEmpty, migrateToLatest, migrations } from '../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '@minergraph/test-support';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('empty');
});

afterAll(async () => {
  await database?.destroy();
});

async function tables(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(database.db);
  return rows.map((row) => row.name);
}

const DOMAIN_TABLES = [
  'api_keys',
  'assets',
  'companies',
  'corporate_actions',
  'field_citations',
  'holdings_reports',
  'idempotency_keys',
  'loan_repayments',
  'loans',
  'meta',
  'officers',
  'price_days',
  'price_hours',
  'price_observations',
  'production_reports',
  'rate_limits',
  'sites',
  'sources',
  'treasury_transactions',
];

describe('migrations', () => {
  it('go up, down and up again, leaving the whole domain each time', async () => {
    const up = await migrateToLatest(database.db);
    expect(up.map((m) => [m.migrationName, m.direction, m.status])).toEqual(Object.keys(migrations).map((name) => [name, 'Up', 'Success']));
    expect(await tables()).toEqual(DOMAIN_TABLES);

    const down = await migrateToEmpty(database.db);
    expect(down.map((m) => m.direction)).toEqual(Object.keys(migrations).map(() => 'Down'));
    expect(await tables()).toEqual([]);

    await migrateToLatest(database.db);
    expect(await tables()).toEqual(DOMAIN_TABLES);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });
});

describe('constraints keep bad rows out even if code is wrong', () => {
  let companyId: string;
  let assetId: string;

  beforeAll(async () => {
    await migrateToLatest(database.db);
    companyId = (
      await database.db.insertInto('companies').values({ name: 'Test Miner', ticker: 'TSTM' }).returning('id').executeTakeFirstOrThrow()
    ).id;
    assetId = (
      await database.db
        .insertInto('assets')
        .values({ symbol: 'TSTM', name: 'Test', kind: 'EQUITY' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });

  const rejected = async (work: () => Promise<unknown>) => {
    const error = await work().then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    return error?.code;
  };

  it('refuses a lower-case or duplicate ticker', async () => {
    expect(await rejected(() => database.db.insertInto('companies').values({ name: 'x', ticker: 'tstm' }).execute())).toBe('23514');
    expect(await rejected(() => database.db.insertInto('companies').values({ name: 'x', ticker: 'TSTM' }).execute())).toBe('23505');
  });

  it('refuses BTC finer than one satoshi, and a sale of zero or less', async () => {
    const flow = (kind: 'SOLD' | 'OTHER', btc: string) =>
      database.db.insertInto('treasury_transactions').values({ company_id: companyId, kind, btc, occurred_on: '2026-01-01' }).execute();
    expect(await rejected(() => flow('SOLD', '0.000000001'))).toBe('23514');
    expect(await rejected(() => flow('SOLD', '-1'))).toBe('23514');
    expect(await rejected(() => flow('OTHER', '0'))).toBe('23514');
    expect(await rejected(() => flow('OTHER', '-0.5'))).toBeUndefined();
  });

  it('refuses a price whose high is below its low, and a second observation at the same instant', async () => {
    const point = (high: string, low: string) =>
      database.db
        .insertInto('price_observations')
        .values({ asset_id: assetId, at: '2026-01-01T00:00:00Z', open: '10', high, low, close: '10' })
        .execute();
    expect(await rejected(() => point('9', '11'))).toBe('23514');
    expect(await rejected(() => point('11', '9'))).toBeUndefined();
    expect(await rejected(() => point('12', '9'))).toBe('23505');
  });

  it('refuses a production period that ends before it starts, and a flow for a company that does not exist', async () => {
    expect(
      await rejected(() =>
        database.db
          .insertInto('production_reports')
          .values({ company_id: companyId, period_start: '2026-02-01', period_end: '2026-01-31', mined_btc: '1' })
          .execute(),
      ),
    ).toBe('23514');
    expect(
      await rejected(() =>
        database.db
          .insertInto('treasury_transactions')
          .values({ company_id: '999999', kind: 'MINED', btc: '1', occurred_on: '2026-01-01' })
          .execute(),
      ),
    ).toBe('23503');
  });
  it('keeps the references of price observations as their foreign keys did, now checked once per statement', async () => {
    const source = (await database.db.insertInto('sources').values({ title: 'Reference test' }).returning('id').executeTakeFirstOrThrow())
      .id;
    const key = (
      await database.db
        .insertInto('api_keys')
        .values({ name: 'reference-test', key_hash: 'x'.repeat(64), role: 'editor' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const asset = (
      await database.db
        .insertInto('assets')
        .values({ symbol: 'TSTR', name: 'Test', kind: 'EQUITY' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const point = (values: { asset_id?: string; at: string; source_id?: string | null; created_by_api_key_id?: string | null }) =>
      database.db
        .insertInto('price_observations')
        .values({ asset_id: asset, open: '1', high: '1', low: '1', close: '1', ...values })
        .execute();
    const failure = async (work: () => Promise<unknown>) => {
      const error = (await work().then(
        () => null,
        (e: unknown) => e,
      )) as { code?: string; message?: string } | null;
      return error && { code: error.code, message: error.message };
    };

    expect(await failure(() => point({ asset_id: '999999', at: '2026-01-01T00:00:00Z' }))).toEqual({
      code: '23503',
      message: 'insert or update on table "price_observations" violates foreign key constraint "price_observations_asset_id_fkey"',
    });
    expect(await failure(() => point({ at: '2026-01-01T00:00:00Z', source_id: '999999' }))).toMatchObject({ code: '23503' });
    expect(await failure(() => point({ at: '2026-01-01T00:00:00Z', created_by_api_key_id: '999999' }))).toMatchObject({ code: '23503' });
    expect(
      await failure(() =>
        database.db.updateTable('price_observations').set({ source_id: '999999' }).where('asset_id', '=', asset).execute(),
      ),
    ).toBeNull();
    await point({ at: '2026-01-01T00:00:00Z', source_id: source, created_by_api_key_id: key });
    await point({ at: '2026-01-02T00:00:00Z' });
    expect(
      await failure(() =>
        database.db.updateTable('price_observations').set({ source_id: '999999' }).where('asset_id', '=', asset).execute(),
      ),
    ).toMatchObject({
      code: '23503',
    });

    // A cited source stays; deleting an API key forgets who wrote the row; deleting the asset takes its prices.
    expect(await failure(() => database.db.deleteFrom('sources').where('id', '=', source).execute())).toEqual({
      code: '23503',
      message:
        'update or delete on table "sources" violates foreign key constraint "price_observations_source_id_fkey" on table "price_observations"',
    });
    expect(await failure(() => sql`update sources set id = default where id = ${source}`.execute(database.db))).toMatchObject({
      code: '23503',
    });
    await database.db.deleteFrom('api_keys').where('id', '=', key).execute();
    const rows = () =>
      database.db
        .selectFrom('price_observations')
        .select(['at', 'source_id', 'created_by_api_key_id'])
        .where('asset_id', '=', asset)
        .orderBy('at')
        .execute();
    expect(await rows()).toEqual([
      { at: new Date('2026-01-01T00:00:00Z'), source_id: source, created_by_api_key_id: null },
      { at: new Date('2026-01-02T00:00:00Z'), source_id: null, created_by_api_key_id: null },
    ]);
    await database.db.deleteFrom('assets').where('id', '=', asset).execute();
    expect(await rows()).toEqual([]);
    // price_days and price_hours are the rollups' own tables, outside the Database type.
    expect((await sql`select day from price_days where asset_id = ${asset}`.execute(database.db)).rows).toEqual([]);
    expect((await sql`select start from price_hours where asset_id = ${asset}`.execute(database.db)).rows).toEqual([]);
    await database.db.deleteFrom('sources').where('id', '=', source).execute();
    expect(await database.db.selectFrom('sources').select('id').where('id', '=', source).execute()).toEqual([]);
  });
});
