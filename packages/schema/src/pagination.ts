import type { ArgBuilder, ObjectRef } from '@pothos/core';
import { builder, type Types } from './builder.js';
import { loaderFor, type Context } from './context.js';
import type { Page, PageRequest } from './data-sources.js';
import { badUserInput } from './errors.js';
import { isRowId } from './ids.js';
import { parseDate } from './scalars.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export function pageArgs(arg: ArgBuilder<Types>) {
  return {
    first: arg.int({ description: `How many to return, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` }),
    after: arg.string({ description: 'The endCursor of the previous page.' }),
  };
}

/**
 * What fetching one row costs, besides its selections: calibrated by pnpm bench:cost (see
 * BENCHMARKS.md), where a row of treasuryTransactions or productionReports takes 40-70 µs
 * however few fields it selects. Without it, 30 aliased pages of 100 rows selecting one field
 * each would cost little and take longer than the limits are meant to allow.
 */
export const ROW_COST = 5;

/** Complexity of a connection field: ROW_COST per requested row, and its selections once per row. */
export function pageComplexity(args: PageArgs) {
  const rows = Math.min(Math.max(args.first ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  return { field: 1 + ROW_COST * rows, multiplier: rows };
}

/** What each part of a connection's sort key must look like, so a hand-edited cursor is refused here, not by SQL. */
export type CursorPart = 'text' | 'id' | 'day' | 'decimal';

const CURSOR_PART: Record<CursorPart, (value: string) => boolean> = {
  text: () => true,
  id: isRowId,
  day: (value) => {
    try {
      parseDate(value);
      return true;
    } catch {
      return false;
    }
  },
  decimal: (value) => /^-?\d{1,30}(\.\d{1,30})?$/.test(value),
};

export function pageRequest<TFilter>(
  connection: string,
  args: PageArgs,
  filter: TFilter,
  key: readonly CursorPart[],
): PageRequest<TFilter> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`"first" must be between 0 and ${MAX_PAGE_SIZE}; it was ${first}.`, ['first']);
  }
  return { first, after: args.after ? decodeCursor(connection, args.after, key) : null, filter };
}

/** Cursors are opaque to clients: the connection's name and the row's sort key. */
export function encodeCursor(connection: string, key: readonly string[]): string {
  return Buffer.from(JSON.stringify([connection, ...key])).toString('base64url');
}

export function decodeCursor(connection: string, cursor: string, key: readonly CursorPart[]): string[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  if (
    !Array.isArray(decoded) ||
    decoded[0] !== connection ||
    decoded.length !== key.length + 1 ||
    !key.every((part, index) => typeof decoded[index + 1] === 'string' && CURSOR_PART[part](decoded[index + 1]))
  ) {
    throw badUserInput(`"after" is not a cursor of ${connection}; pass an endCursor this connection returned.`, ['after']);
  }
  return decoded.slice(1) as string[];
}

export interface ConnectionResult<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Counting is a separate statement, run only when a client selects totalCount. */
  totalCount: () => Promise<number>;
}

export function toConnection<T>(
  connection: string,
  request: PageRequest<unknown>,
  page: Page<T>,
  totalCount: () => Promise<number>,
): ConnectionResult<T> {
  // Cursors are encoded only when a client selects them: most pages are read without.
  const edges = page.edges.map(({ key, node }) => ({
    node,
    get cursor() {
      return encodeCursor(connection, key);
    },
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: request.after !== null,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    totalCount,
  };
}

/** A `<Name>Connection` of `rows` (e.g. "companies") with `<Name>Edge`s and a lazily counted `totalCount`. */
// biome-ignore lint/suspicious/noExplicitAny: Pothos's ObjectRef is invariant in its first parameter; any node type may be paged
export function connectionType<T>(name: string, node: ObjectRef<any, T>, rows: string) {
  return builder.connectionObject(
    {
      type: node,
      name: `${name}Connection`,
      description: `A page of ${rows}: pass pageInfo.endCursor as \`after\` for the next one.`,
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many rows match, ignoring pagination.',
          resolve: (parent) => (parent as unknown as ConnectionResult<T>).totalCount(),
        }),
      }),
    },
    { name: `${name}Edge`, description: `One of a page of ${rows}, with its cursor.` },
  );
}

/**
 * One page of a company's rows, for every company in the request at once: pages and counts
 * go through loaders shared by all parents asking with the same arguments.
 */
export async function companyConnection<T, TFilter>(
  context: Context,
  connection: string,
  companyId: string,
  request: PageRequest<TFilter>,
  source: {
    pages(companyIds: readonly string[], request: PageRequest<TFilter>): Promise<Page<T>[]>;
    counts(companyIds: readonly string[], filter: TFilter): Promise<number[]>;
  },
): Promise<ConnectionResult<T>> {
  const page = await loaderFor(context, connection, request, (ids: readonly string[]) => source.pages(ids, request)).load(companyId);
  const counts = loaderFor(context, `${connection}:count`, request.filter, (ids: readonly string[]) => source.counts(ids, request.filter));
  return toConnection(connection, request, page, () => counts.load(companyId));
}
