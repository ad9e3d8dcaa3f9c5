import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './types/source.js';
import './types/user-error.js';
import './types/company.js';
import './types/site.js';
import './types/treasury.js';
import './types/production.js';
import './types/loan.js';
import './types/asset.js';
import './types/subscription.js';

/** The MinerGraph schema, with types and fields in a stable, sorted order. */
export const schema: GraphQLSchema = lexicographicSortSchema(builder.toSchema());

export type { ChangeFeed, FeedEvent, FeedFilter } from './changes.js';
export { ANONYMOUS, createContext, type Clock, type Context, type Role, type Viewer } from './context.js';
export type * from './data-sources.js';
export type * from './models.js';
export type * from './writes.js';
export { ok, rejected } from './writes.js';
export { notFound } from './mutation.js';
export { canonical, Decimal, divide, isPlainDecimal, SATOSHI_PLACES, toRoundedFloat } from './decimal.js';
export { isRowId } from './ids.js';
export { adjustmentSteps, type AdjustmentStep } from './adjustments.js';
export * from './decimal-limits.js';
export { clientError, ERROR_CODES, isClientCode, type ClientErrorOptions, type ErrorCode } from './error-codes.js';
export * from './text-rules.js';
export { parseDate, parseDateTime, parseDecimal, ScalarInputError } from './scalars.js';
export { ScalarLiteralsRule } from './validation-rules.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';
export { endOfDay } from './calendar.js';
export { candleWindow } from './types/asset.js';
export type { UserErrorCode, UserErrorModel } from './types/user-error.js';
