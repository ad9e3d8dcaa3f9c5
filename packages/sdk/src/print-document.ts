// A printer for executable GraphQL documents (operations and fragments), so that a
// TypedDocumentNode without its source text (codegen's client preset strips `loc`, gql.tada
// keeps none for operations) can be sent without bundling the `graphql` runtime's printer.
// It reads only the AST's plain shape, which graphql-js, graphql.web and codegen's JSON share.

export interface AstNode {
  readonly kind: string;
  // biome-ignore lint/suspicious/noExplicitAny: graphql-js's AST node fields, read by kind without importing graphql
  readonly [key: string]: any;
}

const join = (parts: ReadonlyArray<string | undefined>, separator = ''): string => parts.filter((part) => part).join(separator);

const wrap = (start: string, inner: string | undefined, end = ''): string => (inner ? start + inner + end : '');

const list = (nodes: ReadonlyArray<AstNode> | undefined, separator = ' '): string => join((nodes ?? []).map(print), separator);

function block(nodes: ReadonlyArray<AstNode> | undefined): string {
  const inner = list(nodes, '\n');
  return inner ? `{\n  ${inner.replace(/\n/g, '\n  ')}\n}` : '';
}

function args(nodes: ReadonlyArray<AstNode> | undefined): string {
  return nodes && nodes.length > 0 ? `(${list(nodes, ', ')})` : '';
}

function print(node: AstNode): string {
  switch (node.kind) {
    case 'Document':
      return list(node.definitions, '\n\n');
    case 'OperationDefinition': {
      const variables = node.variableDefinitions?.length ? `(${list(node.variableDefinitions, ', ')})` : '';
      const head = join([node.operation, join([node.name?.value, variables]), list(node.directives)], ' ');
      // An anonymous query without variables or directives prints as its selection set alone.
      return head === 'query' ? block(node.selectionSet.selections) : `${head} ${block(node.selectionSet.selections)}`;
    }
    case 'VariableDefinition':
      return join([
        `$${node.variable.name.value}: ${print(node.type)}`,
        wrap(' = ', node.defaultValue && print(node.defaultValue)),
        wrap(' ', list(node.directives)),
      ]);
    case 'FragmentDefinition':
      return join([
        `fragment ${node.name.value}`,
        args(node.variableDefinitions),
        ` on ${node.typeCondition.name.value}`,
        wrap(' ', list(node.directives)),
        ` ${block(node.selectionSet.selections)}`,
      ]);
    case 'Field':
      return join([
        wrap('', node.alias?.value, ': '),
        node.name.value,
        args(node.arguments),
        wrap(' ', list(node.directives)),
        wrap(' ', node.selectionSet && block(node.selectionSet.selections)),
      ]);
    case 'FragmentSpread':
      return join([`...${node.name.value}`, wrap(' ', list(node.directives))]);
    case 'InlineFragment':
      return join([
        '...',
        wrap(' on ', node.typeCondition?.name.value),
        wrap(' ', list(node.directives)),
        ` ${block(node.selectionSet.selections)}`,
      ]);
    case 'Directive':
      return `@${node.name.value}${args(node.arguments)}`;
    case 'Argument':
    case 'ObjectField':
      return `${node.name.value}: ${print(node.value)}`;
    case 'Variable':
      return `$${node.name.value}`;
    case 'IntValue':
    case 'FloatValue':
    case 'EnumValue':
      return node.value;
    case 'StringValue':
      return JSON.stringify(node.value);
    case 'BooleanValue':
      return node.value ? 'true' : 'false';
    case 'NullValue':
      return 'null';
    case 'ListValue':
      return `[${list(node.values, ', ')}]`;
    case 'ObjectValue':
      return `{${list(node.fields, ', ')}}`;
    case 'NamedType':
      return node.name.value;
    case 'ListType':
      return `[${print(node.type)}]`;
    case 'NonNullType':
      return `${print(node.type)}!`;
    default:
      throw new TypeError(`cannot print a GraphQL ${node.kind} node in an executable document`);
  }
}

/** The text of a parsed executable document (an AST of kind `Document`). */
export function printDocument(document: { readonly kind: string }): string {
  return print(document as AstNode);
}
