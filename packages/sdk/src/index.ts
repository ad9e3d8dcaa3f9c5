export {
  createClient,
  type ClientOptions,
  type FetchLike,
  type FetchResponse,
  type MinerGraphClient,
  type RequestOptions,
  type VariablesArgs,
} from './client.js';
export { MinerGraphError, type GraphQLErrorEntry, type MinerGraphErrorDetails, type MinerGraphErrorKind } from './errors.js';
export type { ResultOf, TypedDocument, VariablesOf } from './documents.js';
export type { DateString, DateTimeString, DecimalString } from './scalars.js';
export { operations, paginated, type OperationMethods, type PaginatedMethods } from './_generated/operations.js';
export * from './_generated/graphql.js';
