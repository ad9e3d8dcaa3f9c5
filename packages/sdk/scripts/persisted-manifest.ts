// Part of `pnpm generate`: writes persisted-operations.json, every operation of src/operations
// by the SHA-256 of the exact text the client sends. The server answers those hashes, and with
// MINERGRAPH_PERSISTED_ONLY=true runs nothing else. The same file goes into the server's
// package too, so the server reads its own copy and does not depend on the SDK at run time.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { operations, subscriptions } from '../src/_generated/operations.js';
import { documentText } from '../src/documents.js';

const entries = [...Object.values(operations), ...Object.values(subscriptions)]
  .map(({ document }) => documentText(document)!)
  .map((text) => [createHash('sha256').update(text).digest('hex'), text] as const)
  .sort(([a], [b]) => (a < b ? -1 : 1));
const manifest = `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
for (const path of ['../persisted-operations.json', '../../server/persisted-operations.json']) {
  const target = fileURLToPath(new URL(path, import.meta.url));
  writeFileSync(target, manifest);
  console.log(`wrote ${entries.length} persisted operations to ${target}`);
}
