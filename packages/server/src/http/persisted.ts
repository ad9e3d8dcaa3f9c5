import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { clientError } from '@minergraph/schema';

/** Operation documents by the SHA-256 (hex) of their exact text, as the SDK sends them. */
export type Manifest = ReadonlyMap<string, string>;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The SDK's operations, which `pnpm generate` copies into this package (persisted-operations.json
 * beside package.json), so the server does not need the SDK installed; null when it is missing.
 * Found through the package's own name, which works from src/, dist/ and the bundled CLI alike.
 */
export function defaultManifestPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('@minergraph/server/persisted-operations.json');
  } catch {
    return null;
  }
}

/** Reads a manifest and checks that every hash is the hash of its document. */
export function loadManifest(path: string): Manifest {
  const entries = Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>);
  for (const [hash, document] of entries) {
    if (sha256(document) !== hash) throw new Error(`${path}: the entry ${hash} is not the SHA-256 of its document.`);
  }
  return new Map(entries);
}

/**
 * Apollo's automatic-persisted-query cache (its keys arrive prefixed "apq:"), answering the
 * manifest's hashes first. Clients may register other documents unless only the manifest is
 * allowed; registrations live in a bounded LRU.
 */
export function persistedQueryCache(manifest: Manifest, allowRegistration: boolean): KeyValueCache<string> {
  const registered = new InMemoryLRUCache<string>({ maxSize: 8 * 1024 * 1024 });
  const hashOf = (key: string) => key.replace(/^apq:/, '');
  return {
    get: async (key) => manifest.get(hashOf(key)) ?? (await registered.get(key)),
    set: async (key, value, options) => {
      if (allowRegistration && !manifest.has(hashOf(key))) await registered.set(key, value, options);
    },
    delete: (key) => registered.delete(key),
  };
}

/** In persisted-only mode, anything but a manifest operation is refused before it runs. */
export function requirePersisted(manifest: Manifest, queryHash: string | undefined): void {
  if (queryHash !== undefined && manifest.has(queryHash)) return;
  throw clientError(
    'PERSISTED_QUERY_REQUIRED',
    'This server runs only the operations of its persisted-operation manifest: send extensions.persistedQuery.sha256Hash of one of them (the SDK does with persisted: true).',
    { endsRequest: true },
  );
}
