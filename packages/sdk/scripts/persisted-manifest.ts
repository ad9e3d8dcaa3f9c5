// Part of `pnpm generate`: writes persisted-operations.json, every operation of src/operations
// by the SHA-256 of the exact text the client sends. The server answers those hashes, and with
// MINERGRAPH_PERSISTED_ONLY=true runs nothing else.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { operations, subscriptions } from '../src/_generated/operations.js';
import { documentText } from '../src/documents.js';

const entries = [...Object.values(operations), ...Object.values(subscriptions)]
  .map(({ document }) => documentText(document)!)
  .map((text) => [createHash('sha256').update(text).digest('hex'), text] as const)
  .sort(([a], [b]) => (a < b ? -1 : 1));
const target = fileURLToPath(new URL('../persisted-operations.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`);
console.log(`wrote ${entries.length} persisted operations to ${target}`);
