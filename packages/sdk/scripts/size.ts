// `pnpm --filter @minergraph/sdk size`: how much the client adds to a browser bundle.
import { bundleForBrowser, GZIP_BUDGET_BYTES, ONE_QUERY_ENTRY, ONE_QUERY_GZIP_BUDGET_BYTES, writeBundleReport } from './browser-bundle.js';

const bundle = await bundleForBrowser();
const oneQuery = await bundleForBrowser(ONE_QUERY_ENTRY);
const report = writeBundleReport(bundle, oneQuery);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
console.log(
  `browser bundle of createClient + one call: ${kb(bundle.minifiedBytes)} minified, ${kb(bundle.gzipBytes)} min+gzip (budget ${kb(GZIP_BUDGET_BYTES)})`,
);
console.log(`modules: ${bundle.inputs.join(', ')}`);
console.log(
  `browser bundle of createRequestClient + one query from @minergraph/sdk/operations: ${kb(oneQuery.minifiedBytes)} minified, ${kb(oneQuery.gzipBytes)} min+gzip (budget ${kb(ONE_QUERY_GZIP_BUDGET_BYTES)})`,
);
console.log(`modules: ${oneQuery.inputs.join(', ')}`);
console.log(`report: ${report}`);
