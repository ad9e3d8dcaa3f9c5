/**
 * A graphql-codegen plugin that writes, from the operations in src/operations, one of:
 * - `output: 'methods'` (the default): the client's method table, one entry per operation,
 *   named after it (query Company -> client.company), typed with the result and variables types
 *   that typescript-operations generates beside it. Generating the table keeps the hand-written
 *   client small and makes a new .graphql operation a new method by itself.
 * - `output: 'functions'`: one exported function per operation, `company(client, variables)`,
 *   for `@minergraph/sdk/operations`: a bundle keeps only the functions it imports.
 * - `output: 'query-options'`: one `companyQueryOptions(client, variables)` per query, for
 *   `@minergraph/sdk/tanstack`.
 *
 * A query that pages one connection (a field given `after: $variable` that selects `edges {
 * node }` and `pageInfo { hasNextPage endCursor }`) also gets an entry in `paginated`, which
 * client.paginate turns into an async iterator over every node of every page.
 *
 * Config: `output`, `documentsModule` (where the typed documents and their types live, relative
 * to the output), `clientModule` (where RequestOptions lives) and, for query options,
 * `queryOptionsModule` (where queryOptionsFor lives).
 */
const path = require('node:path');

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
// Names the client object already uses for itself.
const RESERVED = new Set(['request', 'url', 'paginate']);

/** The `#` comment lines right above a definition, as plain text. */
function leadingComment(definition) {
  const loc = definition.loc;
  if (!loc) return '';
  const lines = loc.source.body.slice(0, loc.start).split('\n');
  lines.pop();
  const comment = [];
  while (lines.length > 0 && /^\s*#/.test(lines[lines.length - 1])) {
    comment.unshift(lines.pop().replace(/^\s*#\s?/, ''));
  }
  return comment.join(' ').trim();
}

/** True when the operation cannot run without variables: a non-null one without a default. */
function needsVariables(operation) {
  return (operation.variableDefinitions ?? []).some((v) => v.type.kind === 'NonNullType' && !v.defaultValue);
}

/** The fields a selection set selects, looking through fragment spreads and inline fragments. */
function selectedFields(selectionSet, fragments) {
  const fields = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === 'Field') fields.push(selection);
    else if (selection.kind === 'InlineFragment') fields.push(...selectedFields(selection.selectionSet, fragments));
    else if (selection.kind === 'FragmentSpread') {
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...selectedFields(fragment.selectionSet, fragments));
    }
  }
  return fields;
}

const selects = (field, name, fragments) => selectedFields(field.selectionSet, fragments).filter((f) => f.name.value === name);

/** The variable an argument is bound to, if it is bound to one. */
function variableOf(field, argument) {
  const value = field.arguments?.find((a) => a.name.value === argument)?.value;
  return value?.kind === 'Variable' ? value.name.value : undefined;
}

/**
 * Where a query pages a connection: the response keys down to the field whose `after` is a
 * variable, and the variables bound to `after` and `first`. Undefined when it pages none.
 */
function pagedConnection(operation, fragments, location) {
  const found = [];
  const walk = (selectionSet, path) => {
    for (const field of selectedFields(selectionSet, fragments)) {
      const key = (field.alias ?? field.name).value;
      const after = variableOf(field, 'after');
      if (after) found.push({ path: [...path, key], field, after, first: variableOf(field, 'first') });
      else if (field.selectionSet) walk(field.selectionSet, [...path, key]);
    }
  };
  walk(operation.selectionSet, []);
  if (found.length === 0) return undefined;
  const name = operation.name.value;
  if (found.length > 1)
    throw new Error(`${location}: ${name} pages ${found.length} connections; an operation that pages may page only one.`);
  const [connection] = found;
  const pageInfo = selects(connection.field, 'pageInfo', fragments);
  const pageFields = new Set(pageInfo.flatMap((f) => selectedFields(f.selectionSet, fragments).map((s) => s.name.value)));
  const edges = selects(connection.field, 'edges', fragments);
  if (!pageFields.has('hasNextPage') || !pageFields.has('endCursor') || !edges.some((e) => selects(e, 'node', fragments).length > 0)) {
    throw new Error(
      `${location}: ${name} pages ${connection.path.join('.')}; select pageInfo { hasNextPage endCursor } and edges { node } there.`,
    );
  }
  return { path: connection.path, after: connection.after, first: connection.first };
}

/** The type of one node of the paged connection, reached through the result type by its path. */
function nodeType(result, path) {
  let type = `Types.${result}`;
  for (const key of path) type = `NonNullable<${type}['${key}']>`;
  return `NonNullable<NonNullable<${type}['edges']>[number]>['node']`;
}

// The first line names what the installed package holds (the document's export), not the
// .graphql file, which the tarball does not contain.
function describe(operation, rootType) {
  const kind = operation.operation;
  const fields = operation.selectionSet.selections
    .filter((s) => s.kind === 'Field')
    .map((s) => {
      const field = rootType?.getFields()[s.name.value];
      return `- \`${s.name.value}\`${field?.description ? `: ${field.description.split('\n')[0]}` : ''}`;
    });
  const comment = leadingComment(operation);
  return [
    `\`${kind} ${operation.name.value}\`: its text and types are \`${operation.name.value}Document\`, exported by this package.`,
    ...(comment ? ['', comment] : []),
    '',
    'Root fields:',
    ...fields,
  ];
}

function docComment(doc, indent) {
  return [`${indent}/**`, ...doc.map((line) => (line ? `${indent} * ${line.replace(/\*\//g, '*\\/')}` : `${indent} *`)), `${indent} */`];
}

function operationFunctions(operations, config) {
  const lines = [
    `// Generated by codegen/operation-methods.cjs from src/operations/*.graphql. Do not edit: run \`pnpm generate\`.`,
    `import type { RequestClient, RequestOptions } from '${config.clientModule}';`,
    `import type * as Types from '${config.documentsModule}';`,
    `import { ${operations.map((o) => o.document).join(', ')} } from '${config.documentsModule}';`,
  ];
  for (const o of operations) {
    lines.push(
      '',
      ...docComment(
        [...o.doc, '', `Sends it with any client's \`request\`: \`${o.method}(createRequestClient({ url }), variables)\`.`],
        '',
      ),
      `export function ${o.method}(client: RequestClient, variables${o.required ? '' : '?'}: Types.${o.variables}, options?: RequestOptions): Promise<Types.${o.result}> {`,
      `  return client.request(${o.document}, variables as Types.${o.variables}, { ...options, operationName: '${o.name}' });`,
      '}',
    );
  }
  lines.push('');
  return lines.join('\n');
}

function queryOptionsFunctions(operations, config) {
  const queries = operations.filter((o) => o.result.endsWith('Query'));
  const lines = [
    `// Generated by codegen/operation-methods.cjs from src/operations/*.graphql. Do not edit: run \`pnpm generate\`.`,
    `import type { RequestClient } from '${config.clientModule}';`,
    `import type * as Types from '${config.documentsModule}';`,
    `import { ${queries.map((o) => o.document).join(', ')} } from '${config.documentsModule}';`,
    `import { queryOptionsFor, type MinerGraphQueryOptions, type QueryRequestOptions } from '${config.queryOptionsModule}';`,
  ];
  for (const o of queries) {
    lines.push(
      '',
      ...docComment(
        [
          ...o.doc,
          '',
          `TanStack Query options: \`useQuery(${o.method}QueryOptions(client, variables))\`; the key is \`['minergraph', client.url, '${o.name}', variables]\`.`,
        ],
        '',
      ),
      `export function ${o.method}QueryOptions(client: RequestClient, variables${o.required ? '' : '?'}: Types.${o.variables}, options?: QueryRequestOptions): MinerGraphQueryOptions<Types.${o.result}, Types.${o.variables}> {`,
      `  return queryOptionsFor(client, ${o.document}, '${o.name}', variables, options);`,
      '}',
    );
  }
  lines.push('');
  return lines.join('\n');
}

module.exports = {
  /** graphql-codegen's plugin entry point: (schema, documents, config) -> the file's text. */
  plugin(schema, documents, config) {
    const operations = [];
    const fragments = new Map();
    for (const file of documents) {
      for (const definition of file.document?.definitions ?? []) {
        if (definition.kind === 'FragmentDefinition') fragments.set(definition.name.value, definition);
      }
    }
    for (const file of documents) {
      const location = path
        .relative(process.cwd(), file.location ?? '')
        .split(path.sep)
        .join('/');
      for (const definition of file.document?.definitions ?? []) {
        if (definition.kind !== 'OperationDefinition') continue;
        const name = definition.name?.value;
        if (!name || !PASCAL_CASE.test(name)) {
          throw new Error(
            `${location}: every operation needs a PascalCase name (query Company, mutation CreateLoan); found ${name ?? 'an anonymous one'}.`,
          );
        }
        const method = name[0].toLowerCase() + name.slice(1);
        if (RESERVED.has(method)) throw new Error(`${location}: ${name} would shadow client.${method}; rename the operation.`);
        if (operations.some((o) => o.method === method)) throw new Error(`${location}: two operations are named ${name}.`);
        const suffix = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' }[definition.operation];
        const rootType = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() }[
          definition.operation
        ];
        operations.push({
          method,
          name,
          document: `${name}Document`,
          result: `${name}${suffix}`,
          variables: `${name}${suffix}Variables`,
          required: needsVariables(definition),
          doc: describe(definition, rootType),
          paged: definition.operation === 'query' ? pagedConnection(definition, fragments, location) : undefined,
          subscription: definition.operation === 'subscription',
        });
      }
    }
    operations.sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
    // Subscriptions run over WebSocket (`@minergraph/sdk/subscriptions`), not as methods that POST.
    const subscriptions = operations.filter((o) => o.subscription);
    operations.splice(0, operations.length, ...operations.filter((o) => !o.subscription));

    const paged = operations.filter((o) => o.paged);
    const documentsModule = config.documentsModule;
    if (config.output === 'functions') return operationFunctions(operations, config);
    if (config.output === 'query-options') return queryOptionsFunctions(operations, config);
    const lines = [
      `// Generated by codegen/operation-methods.cjs from src/operations/*.graphql. Do not edit: run \`pnpm generate\`.`,
      `import type { RequestOptions } from '${config.clientModule}';`,
      `import type * as Types from '${documentsModule}';`,
      `import { ${[...operations, ...subscriptions]
        .map((o) => o.document)
        .sort()
        .join(', ')} } from '${documentsModule}';`,
      '',
      '/** Every operation in src/operations, under the name of the client method that sends it. */',
      'export const operations = {',
      ...operations.map((o) => `  ${o.method}: { document: ${o.document}, operationName: '${o.name}' },`),
      '} as const;',
      '',
      '/** Every subscription in src/operations: `client.subscribe(PricesRecordedDocument, variables)` of `@minergraph/sdk/subscriptions` runs them. */',
      'export const subscriptions = {',
      ...subscriptions.map((o) => `  ${o.method}: { document: ${o.document}, operationName: '${o.name}' },`),
      '} as const;',
      '',
      "/** One method per operation: each resolves to the operation's data or throws a MinerGraphError. */",
      'export interface OperationMethods {',
      ...operations.flatMap((o) => [
        '  /**',
        ...o.doc.map((line) => (line ? `   * ${line.replace(/\*\//g, '*\\/')}` : '   *')),
        '   */',
        `  ${o.method}(variables${o.required ? '' : '?'}: Types.${o.variables}, options?: RequestOptions): Promise<Types.${o.result}>;`,
      ]),
      '}',
      '',
      '/**',
      ' * The queries that page a connection: where the connection is in the result, and which',
      ' * variables take the cursor (`after`) and the page size (`first`).',
      ' */',
      'export const paginated = {',
      ...paged.map(
        (o) =>
          `  ${o.method}: { path: [${o.paged.path.map((k) => `'${k}'`).join(', ')}], after: '${o.paged.after}', first: ${o.paged.first ? `'${o.paged.first}'` : 'undefined'} },`,
      ),
      '} as const;',
      '',
      '/**',
      ' * One async iterator per paging query: `for await (const node of client.paginate.x(variables))`',
      ' * visits every node of every page, asking for the next page only when the loop gets there.',
      ' */',
      'export interface PaginatedMethods {',
      ...paged.flatMap((o) => [
        '  /**',
        `   * Every node of \`${o.paged.path.join('.')}\` that \`client.${o.method}\` pages, page after page, in the server's order.`,
        `   * Pages hold \`${o.paged.first ?? 'the default'}\` nodes${o.paged.first ? ' (default 100, the most one request may ask for)' : ''}; \`${o.paged.after}\`, when given, is where to start.`,
        ...(o.paged.path.length > 1 ? [`   * Nothing is visited when \`${o.paged.path.slice(0, -1).join('.')}\` is null.`] : []),
        '   */',
        `  ${o.method}(variables${o.required ? '' : '?'}: Types.${o.variables}, options?: RequestOptions): AsyncIterableIterator<${nodeType(o.result, o.paged.path)}>;`,
      ]),
      '}',
      '',
    ];
    return lines.join('\n');
  },
};
