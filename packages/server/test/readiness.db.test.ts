import { beforeAll, describe, expect, it } from 'vitest';
import { LATEST_MIGRATION, migrateTo, migrateToLatest } from '../src/db/migrate.js';
import { createTestDatabase, engine, startTestServer, useTestServer } from '@minergraph/test-support';

// /readyz is what an orchestrator waits on before sending traffic: ready means the database
// answers *and* has the schema this code queries.
const served = useTestServer({ start: 'empty' });
let readyz: string;

beforeAll(async () => {
  readyz = served.server.url.replace(/\/graphql$/, '/readyz');
});

async function readiness() {
  const response = await fetch(readyz);
  return [response.status, await response.json()];
}

const NOT_MIGRATED = {
  status: 'unavailable',
  database: engine,
  reason: 'The database is not migrated: 2026-11-28T00-50_price-hours is not applied. Run `minergraph migrate`.',
};

describe(`/readyz on ${engine}`, () => {
  it('the latest migration is the one that adds minergraph_product, the exact product of split ratios', () => {
    expect(LATEST_MIGRATION).toBe('2026-11-28T00-50_price-hours');
  });

  it('is 503 on a database that was never migrated, and says so', async () => {
    expect(await readiness()).toEqual([503, NOT_MIGRATED]);
  });

  it('is 503 while the latest migration is not applied, even with the earlier ones', async () => {
    await migrateTo(served.database.db, '2026-11-23T00-00_domain');
    expect(await readiness()).toEqual([503, NOT_MIGRATED]);
  });

  it('is 200 once the database is at the latest migration, naming it', async () => {
    await migrateToLatest(served.database.db);
    expect(await readiness()).toEqual([200, { status: 'ready', database: engine, migration: '2026-11-28T00-50_price-hours' }]);
  });
});

describe(`/readyz with a database that does not answer, on ${engine}`, () => {
  it('is 503 and says the database does not answer, with no detail of the failure', async () => {
    const gone = await createTestDatabase('migrated');
    const detached = await startTestServer(gone);
    try {
      // PGlite closed stays closed (and, in memory, is gone); a closed pg pool would be
      // replaced on the next query, so on PostgreSQL the database itself goes away.
      await (engine === 'postgres' ? gone.destroy() : gone.close());
      const response = await fetch(detached.url.replace(/\/graphql$/, '/readyz'));
      expect([response.status, await response.json()]).toEqual([
        503,
        { status: 'unavailable', database: engine, reason: 'The database does not answer.' },
      ]);
    } finally {
      await detached.close();
    }
  });
});
