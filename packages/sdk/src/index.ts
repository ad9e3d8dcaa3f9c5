export { createClient, type MinerGraphClient } from './full-client.js';
export {
  createRequestClient,
  type ClientOptions,
  type FetchLike,
  type FetchResponse,
  type RequestClient,
  type RequestOptions,
  type VariablesArgs,
} from './client.js';
export { MinerGraphError, type GraphQLErrorEntry, type MinerGraphErrorDetails, type MinerGraphErrorKind } from './errors.js';
export type { ResultOf, TypedDocument, VariablesOf } from './documents.js';
export { scalars, type DateString, type DateTimeString, type DecimalString, type MinerGraphScalars } from './scalars.js';
export { operations, paginated, type OperationMethods, type PaginatedMethods } from './_generated/operations.js';
export * from './_generated/graphql.js';
