// `@minergraph/sdk/tanstack`: TanStack Query options for each query, as plain objects; it needs
// neither React nor any @tanstack package.
export { createRequestClient, type ClientOptions, type RequestClient } from './client.js';
export { queryKeyPrefix, queryOptionsFor, type MinerGraphQueryOptions, type QueryRequestOptions } from './query-options.js';
export * from './_generated/query-options.js';
