import { paginated, type OperationMethods, type PaginatedMethods } from './_generated/operations.js';
import type { RequestOptions } from './client.js';

/** The page size when the caller sets none: the most one request may ask for. */
export const PAGE_SIZE = 100;

interface Connection {
  edges: readonly ({ node: unknown } | null)[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

type Paged = (typeof paginated)[keyof typeof paginated];

async function* pages(
  send: (variables: Record<string, unknown>, options?: RequestOptions) => Promise<unknown>,
  spec: Paged,
  variables: Record<string, unknown> | undefined,
  options: RequestOptions | undefined,
): AsyncIterableIterator<unknown> {
  let after = (variables?.[spec.after] as string | null | undefined) ?? null;
  const first = spec.first === undefined ? {} : { [spec.first]: variables?.[spec.first] ?? PAGE_SIZE };
  for (;;) {
    let connection: unknown = await send({ ...variables, ...first, [spec.after]: after }, options);
    for (const key of spec.path) connection = (connection as Record<string, unknown> | null)?.[key];
    if (connection === null || connection === undefined) return;
    const { edges, pageInfo } = connection as Connection;
    for (const edge of edges) if (edge) yield edge.node;
    // A page that ends where it started would be asked for again forever.
    if (!pageInfo.hasNextPage || pageInfo.endCursor === null || pageInfo.endCursor === after) return;
    after = pageInfo.endCursor;
  }
}

/** client.paginate: for each paging query, an iterator over the nodes of all its pages. */
export function createPaginators(methods: OperationMethods): PaginatedMethods {
  return Object.fromEntries(
    Object.entries(paginated).map(([method, spec]) => {
      const send = methods[method as keyof typeof paginated] as (
        variables: Record<string, unknown>,
        options?: RequestOptions,
      ) => Promise<unknown>;
      return [method, (variables?: Record<string, unknown>, options?: RequestOptions) => pages(send, spec, variables, options)];
    }),
  ) as unknown as PaginatedMethods;
}
