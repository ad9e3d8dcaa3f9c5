import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, keyHeaders, useTestServer } from '@minergraph/test-support';
import { projectWithPackedSdk, run, sdkDir } from './support/packed-sdk.js';

const MINUTES = 60_000;

/** A strict TypeScript consumer, in either module system, that prints Cango's January as JSON. */
function consumer(format: 'esm' | 'cjs'): string {
  const resolved = format === 'esm' ? "import.meta.resolve('@minergraph/sdk')" : "require.resolve('@minergraph/sdk')";
  return `import { createClient, MinerGraphError, type CompanyQuery, type DecimalString } from '@minergraph/sdk';

async function main(): Promise<void> {
  const url = process.env.MINERGRAPH_URL;
  if (!url) throw new Error('MINERGRAPH_URL is not set');
  const client = createClient({ url });
  const result: CompanyQuery = await client.company({ ticker: 'CANG', from: '2026-01-01', to: '2026-01-31' });
  const held: DecimalString | undefined = result.company?.holdings.btc;
  const flow = result.company?.treasuryFlow;
  let refused: string[] = [];
  try {
    await client.createCompany({ input: { name: 'Hut 8 Corp.', ticker: 'HUT' } });
  } catch (error) {
    if (error instanceof MinerGraphError) refused = [error.kind, ...error.codes];
  }
  const loaded = ${resolved}.split('/').pop();
  console.log(JSON.stringify({ loaded, held, mined: flow?.minedBtc, sold: flow?.soldBtc, unexplained: flow?.unexplainedBtc, refused }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

describe.skipIf(engine !== 'pglite')('the packed package, installed from its tarball into a fresh npm project', () => {
  const served = useTestServer();
  const dirs: string[] = [];
  let project: string;
  /** Runs node in the project; resolves to how it ended, failure or not. */
  const node = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, args, { cwd: project, env: { ...process.env, ...env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  const tsc = (args: string[]) => node([join(project, 'node_modules/typescript/bin/tsc'), ...args]);

  beforeAll(async () => {
    project = await projectWithPackedSdk(['typescript@5.9.3', '@types/node@20']);
    dirs.push(project);
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', target: 'ES2022', strict: true, types: ['node'], rootDir: 'src', outDir: 'out' },
        include: ['src'],
      }),
    );
    await mkdir(join(project, 'src/examples'), { recursive: true });
    await writeFile(join(project, 'src/january.mts'), consumer('esm'));
    await writeFile(join(project, 'src/january.cts'), consumer('cjs'));
    for (const example of ['treasury-report.ts', 'record-production.ts']) {
      await copyFile(join(sdkDir, 'examples', example), join(project, 'src/examples', example));
    }
    const build = await tsc(['-p', '.']);
    if (build.code !== 0) throw new Error(`tsc failed in ${project}:\n${build.stdout}${build.stderr}`);
  }, 4 * MINUTES);

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('ships dist, its README, the schema, its introspection and the persisted-operation manifest only, and installs nothing else: no graphql', async () => {
    const sdk = join(project, 'node_modules/@minergraph/sdk');
    // Code and types the entries share go to hashed chunks (dist/chunk-XXXX.js, dist/client-XXXX.d.ts).
    const files = (await readdir(sdk, { recursive: true })).filter((file) => !/^dist\/[a-z]+-[\w-]{8}\.(?:c?js|d\.c?ts)$/.test(file));
    expect(files.sort()).toEqual([
      'README.md',
      'dist',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/operations.cjs',
      'dist/operations.d.cts',
      'dist/operations.d.ts',
      'dist/operations.js',
      'dist/subscriptions.cjs',
      'dist/subscriptions.d.cts',
      'dist/subscriptions.d.ts',
      'dist/subscriptions.js',
      'dist/tanstack.cjs',
      'dist/tanstack.d.cts',
      'dist/tanstack.d.ts',
      'dist/tanstack.js',
      'introspection.json',
      'package.json',
      'persisted-operations.json',
      'schema.graphql',
    ]);
    const resolved = await node([
      '--input-type=module',
      '-e',
      "for (const path of ['schema.graphql', 'introspection.json', 'operations', 'tanstack', 'subscriptions']) console.log(import.meta.resolve('@minergraph/sdk/' + path).split('/@minergraph/sdk/')[1]);",
    ]);
    expect(resolved.stdout).toBe('schema.graphql\nintrospection.json\ndist/operations.js\ndist/tanstack.js\ndist/subscriptions.js\n');
    const manifest = JSON.parse(await readFile(join(sdk, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect([manifest.dependencies, manifest.peerDependencies]).toEqual([undefined, undefined]);
    const installed = await readdir(join(project, 'node_modules'));
    expect(installed.filter((name) => name.includes('graphql'))).toEqual([]);
  });

  it(
    'type-checks a strict NodeNext consumer and both examples against the packed types, as ESM and as CommonJS',
    async () => {
      expect(await tsc(['--noEmit', '-p', '.'])).toEqual({ code: 0, stdout: '', stderr: '' });
    },
    2 * MINUTES,
  );

  it(
    "runs as ESM and as CommonJS (require), printing Cango's January 2026 from the server",
    async () => {
      const env = { MINERGRAPH_URL: served.server.url };
      const esm = await node(['out/january.mjs'], env);
      const cjs = await node(['out/january.cjs'], env);
      const january = { held: '7474.6', mined: '496.35', sold: '550.03', unexplained: '-0.02', refused: ['graphql', 'UNAUTHENTICATED'] };
      expect(JSON.parse(esm.stdout)).toEqual({ loaded: 'index.js', ...january });
      expect(JSON.parse(cjs.stdout)).toEqual({ loaded: 'index.cjs', ...january });
    },
    2 * MINUTES,
  );

  it(
    'runs the treasury-report example: holdings, value, three months of flows and the loan, with sources',
    async () => {
      const { code, stdout } = await node(['out/examples/treasury-report.js', 'CANG', served.server.url, '--on', '2026-02-09']);
      expect(code).toBe(0);
      const lines = stdout.split('\n');
      expect(lines[0]).toBe('Cango Inc. (CANG, NYSE) on 2026-02-09');
      expect(lines).toContain('Holdings: 3,023.6 BTC, 0 BTC of it pledged as collateral');
      expect(lines).toContain('Value: 213,850,157.2 USD at 70,727 USD per BTC');
      expect(lines.filter((line) => /^ {2}20\d\d-\d\d-\d\d to /.test(line)).map((line) => line.trim().split(/\s+/))).toEqual([
        // October's 6,412.6 held and November's 546.7 mined open December (CANG.yaml); its 569 mined explain 7,528.3.
        ['2025-12-01', 'to', '2025-12-31', '6,959.3', '569', '0', '0', '0', '7,528.3', '0'],
        ['2026-01-01', 'to', '2026-01-31', '7,528.3', '496.35', '0', '550.03', '0', '7,474.6', '-0.02'],
        ['2026-02-01', 'to', '2026-02-09', '7,474.6', '0', '0', '4,451', '0', '3,023.6', '0'],
      ]);
      expect(stdout).toContain(
        '2026-02-08 SOLD 4,451 BTC for 305,000,000 USD (68,523.92720737 USD per BTC); source: (the page shows no title) (Grafa, https://grafa.com/pt-BR/news/united-states/cango-sells-4451-bitcoin-miner-pressure): "Cango sold 4,451 bitcoin over Feb. 7–8, completing one of the largest confirmed miner liquidations of 2026 as falling prices and tight margins pressure the sector."',
      );
      expect(stdout).toContain('margin-call price: not computable (principal, collateral or threshold undisclosed)');
    },
    2 * MINUTES,
  );

  it(
    'runs the record-production example: asks for a source, reports a refused key as the error it is, records with an editor key',
    async () => {
      const args = ['out/examples/record-production.js', 'CANG', '2026-04', '--mined', '480.2', '--url', served.server.url];
      const env = { MINERGRAPH_API_KEY: 'mg_not_a_key' };
      const unsourced = await node(args, env);
      expect(unsourced).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('--source-title <title>') });
      const refused = await node([...args, '--source-title', 'Cango update (test data)'], env);
      expect(refused).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('graphql error (UNAUTHENTICATED)') });
      // With an editor's key and its source, the report is recorded (April 2026 is test data: the seed ends at March).
      const editor = { MINERGRAPH_API_KEY: (await keyHeaders(served.database, 'editor', 'pack-editor')).key };
      const quote = 'Cango mined 480.2 BTC in April 2026 (test data).';
      const recorded = await node([...args, '--source-title', 'Cango update (test data)', '--quote', quote], editor);
      expect(recorded).toMatchObject({ code: 0, stderr: '' });
      expect(recorded.stdout).toMatch(
        /^Recorded Cango Inc\.'s production from 2026-04-01 to 2026-04-30 \(id [\w=]+\):\n {2}mined 480\.2 BTC, 16\.00666667 BTC per day\n$/,
      );
    },
    2 * MINUTES,
  );
});
