import { isRowId } from '@minergraph/schema';

/** Answers in the order of `keys`, with null where no row matched. */
export function inKeyOrder<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): (T | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/** One list per key, in the order of `keys`, keeping the rows' own order inside each list. */
export function groupedInKeyOrder<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/** Ids arrive from clients as strings; only digit strings can name a bigint row. */
export function validIds(ids: readonly string[]): string[] {
  return [...new Set(ids.filter(isRowId))];
}
