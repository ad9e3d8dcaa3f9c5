// createClient: the request client plus a method per operation and the paging iterators. Kept
// apart from client.ts so that a bundle of @minergraph/sdk/operations carries neither the method
// table nor every operation's text.
import { operations, type OperationMethods, type PaginatedMethods } from './_generated/operations.js';
import { createRequestClient, type ClientOptions, type RequestClient, type RequestOptions } from './client.js';
import { createPaginators } from './paginate.js';

export interface MinerGraphClient extends RequestClient, OperationMethods {
  /**
   * Every node of a paging query, page after page, fetched as the loop asks for them:
   * `for await (const tx of client.paginate.treasuryTransactions({ ticker: 'CANG' })) ...`.
   */
  readonly paginate: PaginatedMethods;
}

/** Returns a client with one method per operation in src/operations, and `request` for any other document. */
export function createClient(options: ClientOptions): MinerGraphClient {
  const { url, request } = createRequestClient(options);
  const send = request as (document: unknown, variables?: unknown, options?: RequestOptions) => Promise<unknown>;
  const methods = Object.fromEntries(
    Object.entries(operations).map(([method, { document, operationName }]) => [
      method,
      (variables?: unknown, requestOptions?: RequestOptions) => send(document, variables, { ...requestOptions, operationName }),
    ]),
  ) as unknown as OperationMethods;
  return Object.freeze({ ...methods, url, paginate: Object.freeze(createPaginators(methods)), request });
}
