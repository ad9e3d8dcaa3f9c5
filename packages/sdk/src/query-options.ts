import type { RequestClient, RequestOptions } from './client.js';
import type { TypedDocument } from './documents.js';

/** What a query's options may set besides its variables; TanStack supplies the signal. */
export type QueryRequestOptions = Pick<RequestOptions, 'headers' | 'timeoutMs'>;

/**
 * A query's `{ queryKey, queryFn }`, as TanStack Query's `queryOptions`, `useQuery`,
 * `fetchQuery` and `prefetchQuery` take it. The key is `['minergraph', url, operationName,
 * variables]`, the variables with their keys sorted and undefined values left out, so equal
 * variables always give an equal key.
 */
export interface MinerGraphQueryOptions<TResult, TVariables> {
  readonly queryKey: readonly ['minergraph', string, string, TVariables];
  readonly queryFn: (context: { readonly signal?: AbortSignal | undefined }) => Promise<TResult>;
}

/** The key prefix of every query of this client, or of one operation: for `invalidateQueries({ queryKey })`. */
export function queryKeyPrefix(client: Pick<RequestClient, 'url'>, operationName?: string): readonly unknown[] {
  return operationName === undefined ? ['minergraph', client.url] : ['minergraph', client.url, operationName];
}

/** A JSON-like value with object keys sorted and undefined members left out. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = canonical(member);
  }
  return sorted;
}

/** Query options for any typed document; the generated `...QueryOptions` functions call it. */
export function queryOptionsFor<TResult, TVariables>(
  client: RequestClient,
  document: TypedDocument<TResult, TVariables>,
  operationName: string,
  variables: TVariables | undefined,
  options?: QueryRequestOptions,
): MinerGraphQueryOptions<TResult, TVariables> {
  const send = client.request as (document: unknown, variables?: unknown, options?: RequestOptions) => Promise<TResult>;
  return {
    queryKey: ['minergraph', client.url, operationName, canonical(variables ?? {}) as TVariables],
    queryFn: ({ signal }) => send(document, variables, { ...options, signal, operationName }),
  };
}
