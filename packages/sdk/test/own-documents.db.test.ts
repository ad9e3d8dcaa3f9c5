import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, useTestServer } from '@minergraph/test-support';
import { projectWithPackedSdk, run } from './support/packed-sdk.js';

// The README's two recipes for "your own documents", done in a fresh npm project outside the
// monorepo with the packed package, as a user would: codegen's client preset with the SDK's
// `scalars`, and gql.tada with `MinerGraphScalars`. Each app is type-checked under strict
// TypeScript, bundled for the browser, and that bundle runs its document through
// `client.request` against a real server.
const MINUTES = 60_000;

/**
 * What the project installs besides the tarball. Pinned, so that CI runs what was checked here.
 * TypeScript 5: gql.tada's CLI drives TypeScript's JavaScript API, which TypeScript 7 does not have.
 */
const TOOLS = ['typescript@5.9.3', '@graphql-codegen/cli@7.4.3', '@graphql-codegen/client-preset@6.2.0', 'gql.tada@1.11.3'];

/** The README's codegen.ts, word for word. */
const CODEGEN_CONFIG = `import type { CodegenConfig } from '@graphql-codegen/cli';
import { scalars } from '@minergraph/sdk';

const config: CodegenConfig = {
  schema: 'node_modules/@minergraph/sdk/schema.graphql',
  documents: 'src/**/*.ts',
  generates: { 'src/gql/': { preset: 'client', config: { scalars, strictScalars: true, useTypeImports: true } } },
};
export default config;
`;

/** A front end's tsconfig, strict, with the README's gql.tada plugin entry. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    noEmit: true,
    plugins: [
      { name: 'gql.tada/ts-plugin', schema: 'node_modules/@minergraph/sdk/schema.graphql', tadaOutputLocation: 'src/graphql-env.d.ts' },
    ],
  },
  include: ['src'],
};

/** The client preset's app: Cango's holdings on 2026-02-09. */
const CODEGEN_APP = `import { createClient, type DecimalString } from '@minergraph/sdk';
import { graphql } from './gql';

export const CangoHoldings = graphql(\`query CangoHoldings { company(ticker: "CANG") { holdings(on: "2026-02-09") { btc } } }\`);

export async function main(url: string): Promise<{ btc: DecimalString | undefined }> {
  const client = createClient({ url });
  const { company } = await client.request(CangoHoldings);
  const btc: DecimalString | undefined = company?.holdings.btc;
  // @ts-expect-error Decimal is typed as the SDK's DecimalString, a string: not a number (nor any)
  const asNumber: number | undefined = company?.holdings.btc;
  void asNumber;
  return { btc };
}
`;

/** The gql.tada app: the README's Held, with its variables. */
const TADA_APP = `import { initGraphQLTada } from 'gql.tada';
import { createClient, type DecimalString, type MinerGraphScalars } from '@minergraph/sdk';
import type { introspection } from './graphql-env.d.ts';

const graphql = initGraphQLTada<{ introspection: introspection; scalars: MinerGraphScalars }>();
export const Held = graphql(\`query Held($ticker: String!, $on: Date!) { company(ticker: $ticker) { holdings(on: $on) { btc } } }\`);

export async function main(url: string): Promise<{ btc: DecimalString | undefined }> {
  const client = createClient({ url });
  const { company } = await client.request(Held, { ticker: 'CANG', on: '2026-01-31' });
  const btc: DecimalString | undefined = company?.holdings.btc;
  // @ts-expect-error Decimal is typed as the SDK's DecimalString, a string: not a number (nor unknown)
  const asNumber: number | undefined = company?.holdings.btc;
  void asNumber;
  return { btc };
}
`;

/** Calls the client cannot make; type-checked, never run. Each line must be a type error. */
const REFUSALS = `import { createClient } from '@minergraph/sdk';
import { CangoHoldings } from './cango-holdings';
import { Held } from './held';

const client = createClient({ url: 'http://127.0.0.1:4000/graphql' });

export async function refused(): Promise<void> {
  // @ts-expect-error a number is no document
  await client.request(42);
  // @ts-expect-error an object with a query is no document either
  await client.request({ query: 'query { assets { symbol } }' });
  // @ts-expect-error Held needs its variables
  await client.request(Held);
  // @ts-expect-error on is a Date, a string
  await client.request(Held, { ticker: 'CANG', on: 20260131 });
  // @ts-expect-error CangoHoldings takes no variables
  await client.request(CangoHoldings, { ticker: 'CANG' });
}
`;

/** Imports a bundled app and prints what its `main` resolves to, as JSON. */
const RUNNER = `const [file, url] = process.argv.slice(2);
const app = await import(new URL(file, import.meta.url).href);
console.log(JSON.stringify(await app.main(url)));
`;

interface Bundle {
  code: string;
  /** The packages esbuild took code from, by name, with the minified bytes each put in. */
  packages: Record<string, number>;
}

describe.skipIf(engine !== 'pglite')("the README's recipes for your own documents, in a fresh npm project with the packed package", () => {
  const served = useTestServer();
  let project: string | undefined;
  const bundles: Record<'codegen' | 'tada', Bundle> = {} as never;

  /** Runs a program in the project; resolves to how it ended, failure or not. */
  const exec = (file: string, args: string[]) =>
    run(file, args, { cwd: project }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  async function bundle(entry: string, name: keyof typeof bundles): Promise<void> {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: project,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    await writeFile(join(project!, 'out', `${name}.mjs`), code);
    const packages: Record<string, number> = {};
    for (const [path, input] of Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)) {
      const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? '(the app)';
      packages[name] = (packages[name] ?? 0) + input.bytesInOutput;
    }
    bundles[name] = { code, packages };
  }

  beforeAll(async () => {
    project = await projectWithPackedSdk(TOOLS);
    await writeFile(join(project, 'codegen.ts'), CODEGEN_CONFIG);
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    await mkdir(join(project, 'src'));
    await mkdir(join(project, 'out'));
    await writeFile(join(project, 'src/cango-holdings.ts'), CODEGEN_APP);
    await writeFile(join(project, 'src/held.ts'), TADA_APP);
    await writeFile(join(project, 'src/refusals.ts'), REFUSALS);
    await writeFile(join(project, 'run.mjs'), RUNNER);
  }, 4 * MINUTES);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it(
    "generates the client preset's types from the shipped schema.graphql, typing Decimal as the SDK's DecimalString",
    async () => {
      const codegen = await exec(join(project!, 'node_modules/.bin/graphql-codegen'), []);
      expect(codegen.code, codegen.stdout + codegen.stderr).toBe(0);
      const types = await readFile(join(project!, 'src/gql/graphql.ts'), 'utf8');
      // The codegen config's documents (src/**/*.ts) hold gql.tada's Held too, hence DateString.
      expect(types).toContain("import type { DateString, DecimalString } from '@minergraph/sdk';");
      expect(types).toContain('export type CangoHoldingsQuery = { company: { holdings: { btc: DecimalString } } | null };');
      expect(types).not.toMatch(/from 'graphql'/);
    },
    2 * MINUTES,
  );

  it(
    "generates gql.tada's introspection types from the shipped schema.graphql with `gql.tada generate output`",
    async () => {
      const tada = await exec(join(project!, 'node_modules/.bin/gql.tada'), ['generate', 'output']);
      expect(tada.code, tada.stdout + tada.stderr).toBe(0);
      const env = await readFile(join(project!, 'src/graphql-env.d.ts'), 'utf8');
      expect(env).toContain("'Decimal': unknown;");
      expect(env).toContain('export type introspection = {');
    },
    2 * MINUTES,
  );

  it(
    'type-checks both apps under strict TypeScript: results are DecimalStrings, and every call the client cannot make is a type error',
    async () => {
      expect(await exec(process.execPath, [join(project!, 'node_modules/typescript/bin/tsc'), '-p', '.'])).toEqual({
        code: 0,
        stdout: '',
        stderr: '',
      });
    },
    2 * MINUTES,
  );

  it('bundles the client preset app for the browser with nothing but the SDK and the generated documents: no graphql runtime, no parser', async () => {
    await bundle('src/cango-holdings.ts', 'codegen');
    const { code, packages } = bundles.codegen;
    expect(Object.keys(packages).sort()).toEqual(['(the app)', '@minergraph/sdk']);
    expect(code).not.toContain('GraphQLError');
    expect(code).not.toContain('Syntax Error');
    expect(code).not.toContain('Unexpected character');
    // The document travels as the JSON AST codegen wrote; the client prints it.
    expect(code).toContain('"CangoHoldings"');
  });

  it("bundles the gql.tada app for the browser without graphql-js, but with gql.tada's own small parser, which parses the document at run time", async () => {
    await bundle('src/held.ts', 'tada');
    const { code, packages } = bundles.tada;
    expect(Object.keys(packages).sort()).toEqual(['(the app)', '@0no-co/graphql.web', '@minergraph/sdk', 'gql.tada']);
    // @0no-co/graphql.web is not the graphql package, but it has a GraphQLError of its own and
    // its parser's messages: what gql.tada adds is that parser and its runtime, under 8 KB minified.
    expect(code).toContain('Syntax Error');
    expect(packages['@0no-co/graphql.web']! + packages['gql.tada']!).toBeLessThan(8 * 1024);
    expect(code).toContain('query Held($ticker: String!, $on: Date!)');
  });

  it("runs the client preset's document through client.request from the browser bundle: Cango held 3023.6 BTC on 2026-02-09", async () => {
    expect(bundles.codegen).toBeDefined();
    const ran = await exec(process.execPath, ['run.mjs', 'out/codegen.mjs', served.server.url]);
    expect(ran).toEqual({ code: 0, stdout: '{"btc":"3023.6"}\n', stderr: '' });
  });

  it("runs gql.tada's document through client.request from the browser bundle: Cango held 7474.6 BTC on 2026-01-31", async () => {
    expect(bundles.tada).toBeDefined();
    const ran = await exec(process.execPath, ['run.mjs', 'out/tada.mjs', served.server.url]);
    expect(ran).toEqual({ code: 0, stdout: '{"btc":"7474.6"}\n', stderr: '' });
  });
});
