// `pnpm --filter @minergraph/sdk size`: how much the client adds to a browser bundle.
import { bundleForBrowser, GZIP_BUDGET_BYTES, writeBundleReport } from './browser-bundle.js';

const bundle = await bundleForBrowser();
const report = writeBundleReport(bundle);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
console.log(`browser bundle of createClient + one call: ${kb(bundle.minifiedBytes)} minified, ${kb(bundle.gzipBytes)} min+gzip (budget ${kb(GZIP_BUDGET_BYTES)})`);
console.log(`modules: ${bundle.inputs.join(', ')}`);
console.log(`report: ${report}`);
