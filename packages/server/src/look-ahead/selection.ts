// What an operation asks of one object, as graphql-js would execute it: its fields merged by
// response name (aliases), fragments spread, @skip/@include applied, arguments coerced. Anything
// this does not know to do exactly as graphql-js does throws NotCompilable, and the operation
// runs through the resolvers instead.
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** Thrown where a selection cannot be compiled exactly; the operation is then executed as usual. */
export class NotCompilable extends Error {}

export function notCompilable(why: string): never {
  throw new NotCompilable(why);
}

export interface Operation {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Coerced as graphql-js coerces them. */
  variables: Record<string, unknown>;
}

/** One response key of an object: the field it names, its coerced arguments and what it selects. */
export interface Selected {
  responseName: string;
  field: GraphQLField<unknown, unknown>;
  args: Record<string, unknown>;
  /** The field's sub-selections of an object type, merged over every node of the key. */
  of(typeName: string): Selected[];
}

const ALLOWED_DIRECTIVES = new Set(['skip', 'include']);

function included(operation: Operation, node: FieldNode | SelectionSetNode['selections'][number]): boolean {
  const directives = node.directives ?? [];
  if (directives.length === 0) return true;
  for (const directive of directives) {
    if (!ALLOWED_DIRECTIVES.has(directive.name.value)) notCompilable(`@${directive.name.value}`);
  }
  if (getDirectiveValues(GraphQLSkipDirective, node, operation.variables)?.if === true) return false;
  if (getDirectiveValues(GraphQLIncludeDirective, node, operation.variables)?.if === false) return false;
  return true;
}

/** The fields of `selectionSets` on `type`, grouped by response name in first-seen order (graphql-js's collectFields). */
export function selectionsOf(operation: Operation, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): Selected[] {
  const groups = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!included(operation, selection)) continue;
      switch (selection.kind) {
        case Kind.FIELD: {
          const name = selection.alias?.value ?? selection.name.value;
          const group = groups.get(name);
          if (group) group.push(selection);
          else groups.set(name, [selection]);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (selection.typeCondition && selection.typeCondition.name.value !== type.name) notCompilable('an abstract fragment');
          collect(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visited.has(name)) break;
          visited.add(name);
          const fragment = operation.fragments[name] ?? notCompilable(`unknown fragment ${name}`);
          if (fragment.typeCondition.name.value !== type.name) notCompilable('an abstract fragment');
          collect(fragment.selectionSet);
          break;
        }
      }
    }
  };
  for (const selectionSet of selectionSets) collect(selectionSet);

  const fields = type.getFields();
  return [...groups].map(([responseName, nodes]): Selected => {
    const fieldName = nodes[0]!.name.value;
    if (fieldName === '__typename') {
      return { responseName, field: TYPENAME, args: {}, of: () => notCompilable('__typename has no fields') };
    }
    const field = fields[fieldName] ?? notCompilable(`${type.name}.${fieldName}`);
    // Auth scopes are checked by resolvers, which look-ahead does not run: a scoped field is theirs.
    if (hasAuthScopes(field.extensions)) notCompilable(`${type.name}.${fieldName} has auth scopes`);
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, nodes[0]!, operation.variables);
    } catch {
      // graphql-js reports it, with its own words and path.
      notCompilable(`arguments of ${type.name}.${fieldName}`);
    }
    return {
      responseName,
      field,
      args,
      of(typeName) {
        const subType = operation.schema.getType(typeName);
        if (!isObjectType(subType)) notCompilable(typeName);
        if (hasAuthScopes(subType.extensions)) notCompilable(`${typeName} has auth scopes`);
        const sets = nodes.map((node) => node.selectionSet).filter((set): set is SelectionSetNode => set !== undefined);
        return selectionsOf(operation, subType, sets);
      },
    };
  });
}

/** Whether Pothos's scope-auth plugin guards this field or type (its options are kept in the schema's extensions). */
function hasAuthScopes(extensions: unknown): boolean {
  const options = (extensions as { pothosOptions?: { authScopes?: unknown; grantScopes?: unknown } } | null | undefined)?.pothosOptions;
  return options?.authScopes !== undefined || options?.grantScopes !== undefined;
}

/** Stands for `__typename`, which every object has and no schema lists. */
export const TYPENAME = { name: '__typename' } as GraphQLField<unknown, unknown>;
