// The SDK's operations must never be refused by the default limits: each one, with only the
// variables it requires (placeholders of the right type) and its defaults for the rest, costs
// less than MINERGRAPH_MAX_COMPLEXITY and stays within the depth and breadth limits. When the
// cost weights change (pnpm bench:cost calibrates them), this says whether the SDK still fits.
import { readdirSync, readFileSync } from 'node:fs';
import { schema } from '@minergraph/schema';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/config.js';
import { operationCost } from '../src/http/limits.js';

const dir = new URL('../../sdk/src/operations/', import.meta.url);
const document = parse(
  readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(new URL(name, dir), 'utf8'))
    .join('\n'),
);
const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

const SCALARS: Record<string, unknown> = {
  String: 'CANG',
  ID: Buffer.from('Company:1').toString('base64'),
  Int: 1,
  Float: 1,
  Boolean: true,
  Decimal: '1',
  Date: '2026-01-31',
  DateTime: '2026-01-31T00:00:00Z',
};

/** A placeholder of the type: required input fields filled, optional ones left to their defaults. */
function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [placeholder(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => [field.name, placeholder(field.type)]),
    );
  }
  const name = getNamedType(type).name;
  if (!(name in SCALARS)) throw new Error(`no placeholder for the scalar ${name}`);
  return SCALARS[name];
}

function requiredVariables(operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.type.kind !== Kind.NON_NULL_TYPE || definition.defaultValue) continue;
    variables[definition.variable.name.value] = placeholder(typeFromAST(schema, definition.type) as GraphQLInputType);
  }
  return variables;
}

describe("the README's founding-story query fits the default limits", () => {
  it('the first graphql block of README.md', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const query = /```graphql\n([\s\S]*?)```/.exec(readme)![1]!;
    const measured = operationCost(schema, { document: parse(query) });
    expect(measured.complexity).toBeLessThanOrEqual(DEFAULT_LIMITS.maxComplexity);
    expect(measured.depth).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDepth);
    expect(measured.breadth).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBreadth);
  });
});

describe("the SDK's operations fit the default limits", () => {
  it('finds the operations', () => {
    expect(operations.length).toBeGreaterThanOrEqual(16);
  });

  it.each(operations.map((operation) => [operation.name!.value, operation] as const))('%s', (name, operation) => {
    const measured = operationCost(schema, { document, operationName: name, variables: requiredVariables(operation) });
    expect(measured.complexity).toBeGreaterThan(0);
    expect(measured.complexity).toBeLessThanOrEqual(DEFAULT_LIMITS.maxComplexity);
    expect(measured.depth).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDepth);
    expect(measured.breadth).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBreadth);
  });
});
