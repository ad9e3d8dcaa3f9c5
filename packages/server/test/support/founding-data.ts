import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's data directory. */
export const REPOSITORY_DATA = fileURLToPath(new URL('../../../../data', import.meta.url));

/**
 * The data the 'seeded' test databases hold: the founding story only (Cango and the prices its
 * answers use), which most test files are written against. The whole data set (every company
 * file) is loaded and checked by facts-load.db.test.ts.
 */
export function foundingStoryData(): string {
  const repository = REPOSITORY_DATA;
  const dir = mkdtempSync(join(tmpdir(), 'minergraph-founding-'));
  mkdirSync(join(dir, 'companies'));
  if (existsSync(join(repository, 'companies', 'CANG.yaml'))) cpSync(join(repository, 'companies', 'CANG.yaml'), join(dir, 'companies', 'CANG.yaml'));
  if (existsSync(join(repository, 'prices'))) cpSync(join(repository, 'prices'), join(dir, 'prices'), { recursive: true });
  return dir;
}

