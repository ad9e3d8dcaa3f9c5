// `@minergraph/sdk/operations`: each operation as a document and as a function of a client, so
// that a bundle carries only the operations it imports. createRequestClient has no methods.
export { createRequestClient, type ClientOptions, type RequestClient, type RequestOptions } from './client.js';
export { MinerGraphError, type GraphQLErrorEntry, type MinerGraphErrorKind } from './errors.js';
export type { ResultOf, TypedDocument, VariablesOf } from './documents.js';
export * from './_generated/operation-functions.js';
export * from './_generated/graphql.js';
