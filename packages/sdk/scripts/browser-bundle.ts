import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));

/** What a front end ships for the client: one import and one call. */
export const BROWSER_ENTRY = `import { createClient } from '@minergraph/sdk';

const client = createClient({ url: 'https://minergraph.example/graphql' });
client.company({ ticker: 'CANG', from: '2026-01-01', to: '2026-01-31' }).then((data) => {
  document.body.textContent = data.company?.holdings.btc ?? 'unknown';
});
`;

/** What a front end ships when it uses one query through `@minergraph/sdk/operations`. */
export const ONE_QUERY_ENTRY = `import { createRequestClient, company } from '@minergraph/sdk/operations';

const client = createRequestClient({ url: 'https://minergraph.example/graphql' });
company(client, { ticker: 'CANG', from: '2026-01-01', to: '2026-01-31' }).then((data) => {
  document.body.textContent = data.company?.holdings.btc ?? 'unknown';
});
`;

/** What a front end ships when it subscribes: createClient of `@minergraph/sdk/subscriptions` and one subscription. */
export const SUBSCRIBE_ENTRY = `import { createClient, PricesRecordedDocument } from '@minergraph/sdk/subscriptions';

const client = createClient({ url: 'https://minergraph.example/graphql' });
(async () => {
  for await (const event of client.subscribe(PricesRecordedDocument, { symbol: 'BTC' })) {
    document.body.textContent = event.pricesRecorded.asset.latestPrice?.priceUsd ?? 'unknown';
  }
})();
`;

/** min+gzip bytes the subscribing bundle may reach: the whole client plus graphql-ws's client. */
export const SUBSCRIBE_GZIP_BUDGET_BYTES = 12 * 1024;

/** min+gzip bytes the browser bundle may reach; the client runtime plus every operation's text (the explorer's three operations among them, since they are the SDK's too). */
export const GZIP_BUDGET_BYTES = 8 * 1024;

/** min+gzip bytes the one-query bundle may reach: the client runtime and the text of Company, the largest query (11 fragments). */
export const ONE_QUERY_GZIP_BUDGET_BYTES = 5 * 1024;

export interface BrowserBundle {
  code: string;
  minifiedBytes: number;
  gzipBytes: number;
  /** The files esbuild pulled in, relative to packages/sdk. */
  inputs: string[];
}

/**
 * Bundles BROWSER_ENTRY for the browser as a front end's bundler would, resolving
 * `@minergraph/sdk` through the package's own exports (its sources, by the workspace condition).
 */
export async function bundleForBrowser(entry: string = BROWSER_ENTRY): Promise<BrowserBundle> {
  const result = await build({
    stdin: { contents: entry, resolveDir: sdkDir, sourcefile: 'browser-entry.ts', loader: 'ts' },
    absWorkingDir: sdkDir,
    conditions: ['@minergraph/source'],
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0]!;
  return {
    code: output.text,
    minifiedBytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength,
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}

/** Writes dist-report/browser-bundle.json (git-ignored): the whole client's bundle and the one-query one; returns its path. */
export function writeBundleReport(whole: BrowserBundle, oneQuery?: BrowserBundle): string {
  const dir = fileURLToPath(new URL('../dist-report/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}browser-bundle.json`;
  const report = (entry: string, { minifiedBytes, gzipBytes, inputs }: BrowserBundle, gzipBudgetBytes: number) => ({
    entry,
    minifiedBytes,
    gzipBytes,
    gzipBudgetBytes,
    inputs,
  });
  const body = {
    ...report(BROWSER_ENTRY, whole, GZIP_BUDGET_BYTES),
    ...(oneQuery ? { oneQuery: report(ONE_QUERY_ENTRY, oneQuery, ONE_QUERY_GZIP_BUDGET_BYTES) } : {}),
  };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  return path;
}
