import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createApiKey } from '../src/repositories/api-key.repository.js';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';
import { query, runCli, servingUrl } from './support/process.js';

// A supervisor restarts a server the moment it dies. After `kill -9` in the middle of writes,
// the restart must succeed at once (no stale lock to wait out) and every write the server
// acknowledged must be there.
const CRASHES = 20;
let dir: string;
let postgres: TestDatabase | undefined;
let env: Record<string, string | undefined>;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-crash-'));
  if (engine === 'postgres') postgres = await createTestDatabase('migrated');
  // Four writers with one key as fast as they can: rate limits off, so every refusal would be a crash's.
  const unlimited = { MINERGRAPH_RATE_LIMIT_PER_KEY: '0', MINERGRAPH_MAX_CONCURRENT_PER_CLIENT: '0' };
  env =
    engine === 'postgres'
      ? { DATABASE_URL: postgres!.url, ...unlimited }
      : { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', ...unlimited };
  const database = await openDatabase(engine === 'postgres' ? { databaseUrl: postgres!.url } : { dataDir: join(dir, 'data') });
  await migrateToLatest(database.db);
  key = (await createApiKey(database.db, 'crash-writer', 'editor')).key;
  await database.close();
});

afterAll(async () => {
  await postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function createAsset(url: string, symbol: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: `mutation { createAsset(input: { symbol: "${symbol}", name: "Crash ${symbol}", kind: CRYPTO }) { asset { symbol } } }`,
      }),
    });
    const body = (await response.json()) as { data?: { createAsset?: { asset?: { symbol: string } } } };
    return body.data?.createAsset?.asset?.symbol === symbol;
  } catch {
    return false; // the process died before it answered: not acknowledged
  }
}

describe(`kill -9 during writes on ${engine}`, () => {
  it(`${CRASHES} times in a row: every restart succeeds at once and every acknowledged write is kept`, async () => {
    const acknowledged: string[] = [];
    for (let crash = 1; crash <= CRASHES; crash += 1) {
      const server = runCli(['serve'], env);
      const url = await servingUrl(server);
      // Writes in flight from four clients; the kill lands among them.
      let stop = false;
      const writers = [0, 1, 2, 3].map(async (writer) => {
        for (let n = 0; !stop; n += 1) {
          const symbol = `K${crash}W${writer}N${n}`;
          if (await createAsset(url, symbol)) acknowledged.push(symbol);
          else break;
        }
      });
      while (acknowledged.filter((symbol) => symbol.startsWith(`K${crash}W`)).length < 6)
        await new Promise((resolve) => setTimeout(resolve, 10));
      server.child.kill('SIGKILL');
      stop = true;
      await server.exited;
      await Promise.all(writers);
    }

    const final = runCli(['serve'], env);
    const url = await servingUrl(final);
    const { assets } = await query<{ assets: { symbol: string }[] }>(url, '{ assets { symbol } }');
    const stored = new Set(assets.map((asset) => asset.symbol));
    expect(acknowledged.length).toBeGreaterThanOrEqual(CRASHES * 6);
    expect(acknowledged.filter((symbol) => !stored.has(symbol))).toEqual([]);
    final.child.kill('SIGTERM');
    expect(await final.exited).toBe(0);
  }, 600_000);
});
