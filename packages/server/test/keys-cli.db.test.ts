import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, startTestServer, type TestDatabase } from '@minergraph/test-support';
import { runCli } from './support/process.js';

let dataDir: string;
let postgres: TestDatabase | undefined;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'minergraph-keys-')), 'data');
  if (engine === 'postgres') postgres = await createTestDatabase('migrated');
  env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: dataDir, DATABASE_URL: '' };
});

afterAll(async () => {
  await postgres?.destroy();
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const run = runCli(['keys', ...args], env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('pnpm minergraph keys', () => {
  it('create prints the new key, and only the key, on stdout; list shows it without the key; revoke ends it', async () => {
    const created = await cli('create', '--role', 'editor', '--name', 'ingest-bot');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^mg_[A-Za-z0-9_-]{32}\n$/);
    const key = created.stdout.trim();
    expect(created.stderr).toContain('Created the editor key "ingest-bot". It is shown only this once.');

    const listed = await cli('list');
    expect(listed.stdout).toMatch(/^ingest-bot\teditor\tcreated \S+\tactive\n$/);
    expect(listed.stdout).not.toContain(key);

    const duplicate = await cli('create', '--role', 'reader', '--name', 'ingest-bot');
    expect([duplicate.code, duplicate.stdout, duplicate.stderr.trim()]).toEqual([
      2,
      '',
      'An active key is named "ingest-bot" already. Revoke it first (keys revoke ingest-bot), or choose another name.',
    ]);

    const badRole = await cli('create', '--role', 'owner', '--name', 'x');
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain("option '--role <role>' argument 'owner' is invalid. Allowed choices are reader, editor, admin.");

    // The key works against a server on the same database, until it is revoked.
    const { openDatabase } = await import('../src/db/connect.js');
    const use = async () => {
      const database = await openDatabase(engine === 'postgres' ? { databaseUrl: postgres!.url } : { dataDir });
      const server = await startTestServer({
        ...database,
        url: undefined,
        countStatements: async () => 0,
        destroy: () => database.close(),
      });
      const response = await server.graphql(
        'mutation { createAsset(input: { symbol: "TSTK", name: "Key test", kind: CRYPTO }) { userErrors { code } } }',
        undefined,
        { authorization: `Bearer ${key}` },
      );
      await server.close();
      await database.close();
      return response;
    };
    expect((await use()).data).toEqual({ createAsset: { userErrors: [] } });

    const revoked = await cli('revoke', 'ingest-bot');
    expect([revoked.code, revoked.stdout]).toEqual([0, 'Revoked "ingest-bot".\n']);
    expect((await use()).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
