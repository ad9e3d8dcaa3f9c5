import { createComplexityRule } from '@pothos/plugin-complexity';
import type { ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import {
  type GraphQLError,
  Kind,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { clientError, ERROR_CODES, isClientCode, type ErrorCode } from '@minergraph/schema';
import type { Limits } from '../config.js';
import { noteErrorCode } from './request-log.js';
import type { NodeErrorHandler, NodeHandler } from './node-handlers.js';
import { searchOf } from './urls.js';

function limitError(code: ErrorCode, message: string): GraphQLError {
  return clientError(code, message, { endsRequest: true });
}

/** The same JSON shape GraphQL errors have, for requests refused before GraphQL sees them. */
export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  status: number = ERROR_CODES[code].status,
  extensions: Record<string, string> = {},
): void {
  noteErrorCode(res, code);
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** The `query` parameter of a URL's query string, when it is given once. */
function queryParameter(url: string | undefined): unknown {
  return parseQueryString(searchOf(url).slice(1)).query;
}

/** Refuses an over-long document before it is parsed. */
export function queryLengthGuard(limits: Limits): NodeHandler {
  return (req, res, next) => {
    const body = (req as { body?: { query?: unknown } }).body;
    const fromUrl = typeof body?.query === 'string' ? undefined : queryParameter(req.url);
    const query = typeof body?.query === 'string' ? body.query : typeof fromUrl === 'string' ? fromUrl : '';
    if (query.length > limits.maxQueryLength) {
      sendError(res, 'QUERY_TOO_LONG', `The query has ${query.length} characters; at most ${limits.maxQueryLength} are accepted.`);
      return;
    }
    next();
  };
}

/** Body-parser failures as GraphQL-shaped errors, never express's HTML page with a stack. */
export function bodyErrors(limits: Limits): NodeErrorHandler {
  return (error, _req, res, next) => {
    const failure = error as { type?: string; status?: number } | null;
    if (failure?.type === 'entity.too.large') {
      sendError(res, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limits.maxBodyBytes} bytes.`);
    } else if (failure?.type === 'entity.parse.failed') {
      sendError(res, 'BAD_REQUEST', 'The request body is not valid JSON.');
    } else if (failure?.status && failure.status >= 400 && failure.status < 500) {
      sendError(res, 'BAD_REQUEST', 'The request could not be read.', failure.status);
    } else {
      next(error);
    }
  };
}

/**
 * Counts aliases anywhere in the document and fields at the root of each operation (through
 * fragments), so alias bombs and wide batches are refused during validation. Depends only on
 * the document, so Apollo's cache of validated documents stays sound.
 */
export function aliasAndRootFieldRule(limits: Limits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    // Each fragment is counted once: spreads that fan out (F0 spreads F1 six times, F1 spreads
    // F2 six times, ...) would otherwise take time exponential in a document of a few hundred bytes.
    const fragmentRootFields = new Map<string, number>();
    const rootFields = (set: SelectionSetNode, seen: Set<string>): number =>
      set.selections.reduce((total, selection) => {
        if (selection.kind === Kind.FIELD) return total + 1;
        if (selection.kind === Kind.INLINE_FRAGMENT) return total + rootFields(selection.selectionSet, seen);
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) return total;
        let count = fragmentRootFields.get(fragment.name.value);
        if (count === undefined) {
          count = rootFields(fragment.selectionSet, new Set([...seen, fragment.name.value]));
          fragmentRootFields.set(fragment.name.value, count);
        }
        return total + count;
      }, 0);
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases += 1;
      },
      OperationDefinition(node) {
        const count = rootFields(node.selectionSet, new Set());
        if (count > limits.maxRootFields) {
          context.reportError(
            clientError(
              'TOO_MANY_ROOT_FIELDS',
              `The operation selects ${count} root fields; at most ${limits.maxRootFields} are allowed.`,
              { nodes: node },
            ),
          );
        }
      },
      Document: {
        leave() {
          if (aliases > limits.maxAliases) {
            context.reportError(
              clientError('TOO_MANY_ALIASES', `The document uses ${aliases} aliases; at most ${limits.maxAliases} are allowed.`),
            );
          }
        },
      },
    };
  };
}

/**
 * Depth, breadth and cost of an operation, as checkComplexity computes them, without checking
 * them against any limit: for the cost benchmark (pnpm bench:cost) and the test that keeps the
 * SDK's operations within the default limits. Throws if the document does not validate.
 */
export function operationCost(
  schema: GraphQLSchema,
  request: { document: DocumentNode; variables?: Record<string, unknown>; operationName?: string | null; context?: object },
): { complexity: number; depth: number; breadth: number } {
  let measured: { complexity: number; depth: number; breadth: number } | undefined;
  const rule = createComplexityRule({
    context: request.context ?? {},
    variableValues: request.variables ?? {},
    operationName: request.operationName ?? null,
    onResult: (result) => {
      measured = result;
    },
  });
  const [error] = validate(schema, request.document, [rule]);
  if (error || !measured) throw error ?? new Error('the complexity rule measured nothing');
  return measured;
}

type Cost = { complexity: number; depth: number; breadth: number };

/**
 * Costs measured in the last second, by document (Apollo hands the same parsed document to
 * every request with the same query text) and then by operation name and variables. A cost
 * depends on nothing else but the instant (a window without `to` ends now): within a second,
 * one measure answers a burst of the same request. Kept only for operations within every limit.
 */
const recentCosts = new WeakMap<DocumentNode, Map<string, { at: number; cost: Cost }>>();
const COST_REUSE_MS = 1_000;
/** Variable sets kept per document: a few pages of the same list, not every value a client ever sent. */
const COSTS_PER_DOCUMENT = 32;

/**
 * What a measured cost is kept under: the operation and its variables. Variables nested too
 * deep to print (a hostile request) are measured each time, never kept: the rule that measures
 * them refuses them anyway.
 */
function reuseKey(operationName: string | null | undefined, variables: unknown): string | null {
  try {
    return `${operationName ?? ''}\u0000${JSON.stringify(variables)}`;
  } catch {
    return null;
  }
}

/**
 * Depth, breadth and complexity (list fields costed by `first`) of the operation that will
 * run, with its variables; throws the first limit it exceeds. Call it after validation and
 * before anything that touches the database.
 */
export function checkComplexity(
  schema: GraphQLSchema,
  limits: Limits,
  request: { document: DocumentNode; variables: Record<string, unknown>; operationName: string | null; context: object },
): void {
  const withinLimits = (result: Cost, report: (error: GraphQLError) => void) => {
    if (result.depth > limits.maxDepth) {
      report(limitError('QUERY_TOO_DEEP', `The query is ${result.depth} levels deep; at most ${limits.maxDepth} are allowed.`));
    } else if (result.breadth > limits.maxBreadth) {
      report(limitError('QUERY_TOO_BROAD', `The query selects ${result.breadth} fields; at most ${limits.maxBreadth} are allowed.`));
    } else if (result.complexity > limits.maxComplexity) {
      report(
        limitError(
          'QUERY_TOO_COMPLEX',
          `The query's cost is ${result.complexity} (lists count once per requested row); at most ${limits.maxComplexity} is allowed. Ask for fewer rows or fields.`,
        ),
      );
    }
  };
  const now = Date.now();
  let costs = recentCosts.get(request.document);
  const key = reuseKey(request.operationName, request.variables);
  const recent = key === null ? undefined : costs?.get(key);
  let error: GraphQLError | undefined;
  if (recent && now - recent.at < COST_REUSE_MS) {
    withinLimits(recent.cost, (reported) => {
      error ??= reported;
    });
  } else {
    let measured: Cost | undefined;
    const rule = createComplexityRule({
      context: request.context,
      variableValues: request.variables,
      operationName: request.operationName,
      validate: withinLimits,
      onResult: (result, errors) => {
        if (errors.length === 0) measured = { ...result };
      },
    });
    try {
      [error] = validate(schema, request.document, [rule]);
    } catch (thrown) {
      // The complexity rule throws, rather than reports, for an operation type the schema has no
      // root for (a subscription): still the client's mistake, not a 500.
      throw clientError('BAD_USER_INPUT', (thrown as Error).message, { originalError: thrown as Error, endsRequest: true });
    }
    if (!error && measured && key !== null) {
      if (!costs) {
        costs = new Map();
        recentCosts.set(request.document, costs);
      }
      if (costs.size >= COSTS_PER_DOCUMENT) costs.clear();
      costs.set(key, { at: now, cost: measured });
    }
  }
  if (error) {
    // Also bad variables end up here (the rule needs their values): all are the client's to fix.
    const code = isClientCode(error.extensions.code) ? error.extensions.code : 'BAD_USER_INPUT';
    throw clientError(code, error.message, {
      nodes: error.nodes ?? null,
      originalError: error.originalError ?? null,
      extensions: error.extensions,
      endsRequest: true,
    });
  }
}
