/**
 * A graphql-codegen plugin: typescript-operations' output, with each result field and each
 * variable documented by the schema's description (TSDoc), so that units and meanings show on
 * hover: `drawdownFromAllTimeHigh` says it is a fraction. typescript-operations copies
 * descriptions onto enums and inputs only.
 *
 * It walks each generated type alias (`CompanyQuery`, `LoanFieldsFragment`, ...) beside the
 * selection set it was generated from: a type literal is one selection set, a property one
 * field (by its response key), so nesting in TypeScript follows nesting in GraphQL.
 */
const ts = require('typescript');
const { getNamedType, isObjectType, isInterfaceType, visit } = require('graphql');
const operationsPlugin = require('@graphql-codegen/typescript-operations');

/** The field a response key names in a selection set, with the type it is selected on. */
function findField(selections, parentType, key, schema) {
  for (const selection of selections) {
    if (selection.kind === 'Field' && (selection.alias ?? selection.name).value === key) return { field: selection, parentType };
    if (selection.kind === 'InlineFragment') {
      const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
      const found = findField(selection.selectionSet.selections, on, key, schema);
      if (found) return found;
    }
  }
  return undefined;
}

function docComment(description, indent) {
  const lines = description.replace(/\*\//g, '*\\/').split('\n');
  return lines.length === 1
    ? `/** ${lines[0]} */\n${indent}`
    : `/**\n${lines.map((line) => `${indent} *${line ? ` ${line}` : ''}`).join('\n')}\n${indent} */\n${indent}`;
}

/** Insertions (position, text) documenting the properties under a type node. */
function documentType(node, parentType, selections, context) {
  if (!node) return;
  if (ts.isParenthesizedTypeNode(node) || ts.isArrayTypeNode(node)) {
    documentType(ts.isArrayTypeNode(node) ? node.elementType : node.type, parentType, selections, context);
  } else if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) {
    for (const member of node.types) documentType(member, parentType, selections, context);
  } else if (ts.isTypeReferenceNode(node)) {
    // Array<X>, ReadonlyArray<X>; a fragment's own type is documented where it is declared.
    for (const argument of node.typeArguments ?? []) documentType(argument, parentType, selections, context);
  } else if (ts.isTypeLiteralNode(node)) {
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.name) continue;
      const key = member.name.getText(context.file).replace(/^['"]|['"]$/g, '');
      const found = findField(selections, parentType, key, context.schema);
      if (!found || !(isObjectType(found.parentType) || isInterfaceType(found.parentType))) continue;
      const definition = found.parentType.getFields()[found.field.name.value];
      if (!definition) continue;
      if (definition.description) context.insert(member, definition.description);
      if (found.field.selectionSet) documentType(member.type, getNamedType(definition.type), found.field.selectionSet.selections, context);
    }
  }
}

/** Each variable's description: that of the first argument it is passed to directly. */
function variableDescriptions(operation, rootType, schema) {
  const descriptions = new Map();
  const parents = [rootType];
  visit(operation.selectionSet, {
    InlineFragment: {
      enter(node) {
        parents.push(node.typeCondition ? schema.getType(node.typeCondition.name.value) : parents[parents.length - 1]);
      },
      leave() {
        parents.pop();
      },
    },
    Field: {
      enter(node) {
        const parent = parents[parents.length - 1];
        const definition = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
        for (const argument of node.arguments ?? []) {
          if (argument.value.kind !== 'Variable' || descriptions.has(argument.value.name.value)) continue;
          const description = definition?.args.find((arg) => arg.name === argument.name.value)?.description;
          if (description) descriptions.set(argument.value.name.value, description);
        }
        parents.push(definition ? getNamedType(definition.type) : undefined);
      },
      leave() {
        parents.pop();
      },
    },
  });
  return descriptions;
}

// A plain `plugin` property (not an async method), so that Node's import() sees it as a named export.
module.exports = { plugin };

async function plugin(schema, documents, config, info) {
  const output = await operationsPlugin.plugin(schema, documents, config, info);
  const content = typeof output === 'string' ? output : output.content;
  const targets = new Map();
  for (const document of documents) {
    for (const definition of document.document?.definitions ?? []) {
      if (definition.kind === 'FragmentDefinition') {
        targets.set(`${definition.name.value}Fragment`, {
          type: schema.getType(definition.typeCondition.name.value),
          selections: definition.selectionSet.selections,
        });
      } else if (definition.kind === 'OperationDefinition' && definition.name) {
        const suffix = definition.operation === 'query' ? 'Query' : definition.operation === 'mutation' ? 'Mutation' : 'Subscription';
        const rootType = schema.getRootType(definition.operation);
        targets.set(`${definition.name.value}${suffix}`, { type: rootType, selections: definition.selectionSet.selections });
        targets.set(`${definition.name.value}${suffix}Variables`, { variables: variableDescriptions(definition, rootType, schema) });
      }
    }
  }

  const file = ts.createSourceFile('graphql.ts', content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const insertions = [];
  const context = {
    file,
    schema,
    insert(member, description) {
      const start = member.getStart(file);
      const indent = content.slice(content.lastIndexOf('\n', start - 1) + 1, start);
      insertions.push([start, docComment(description, /^\s*$/.test(indent) ? indent : '')]);
    },
  };
  for (const statement of file.statements) {
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    const target = targets.get(statement.name.text);
    if (!target) continue;
    if (target.variables) {
      // Exact<{ ... }>: the properties are the variables.
      const literal = ts.isTypeReferenceNode(statement.type) ? statement.type.typeArguments?.[0] : statement.type;
      for (const member of literal && ts.isTypeLiteralNode(literal) ? literal.members : []) {
        const description = member.name && target.variables.get(member.name.getText(file));
        if (description) context.insert(member, description);
      }
    } else {
      documentType(statement.type, target.type, target.selections, context);
    }
  }
  let documented = content;
  for (const [position, text] of insertions.sort((a, b) => b[0] - a[0])) {
    documented = documented.slice(0, position) + text + documented.slice(position);
  }
  return typeof output === 'string' ? documented : { ...output, content: documented };
}
