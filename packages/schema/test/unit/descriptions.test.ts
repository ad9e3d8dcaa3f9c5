import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  isIntrospectionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/index.js';

/**
 * Every element of the schema a client can see without a description: its types, fields,
 * arguments, input fields and enum values, as "Type", "Type.field", "Type.field(argument)" and
 * "Enum.VALUE". GraphQL's own types and scalars (Int, String, __Schema, ...) are left out.
 */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (name: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(name);
  };
  const types = Object.values(schema.getTypeMap()).filter(
    (type: GraphQLNamedType) => !isIntrospectionType(type) && !isSpecifiedScalarType(type),
  );
  for (const type of types) {
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const argument of field.args) check(`${type.name}.${field.name}(${argument.name})`, argument.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing;
}

describe('the schema documents itself', () => {
  it('every type, field, argument, input field and enum value has a description', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('the check names each undescribed element, and skips blank-only descriptions as missing', () => {
    const sample = buildSchema(`
      "Reads." type Query { "Described." a(x: Int, "The y." y: Int): Int  b(i: In): Kind }
      input In { f: Int }
      "   " enum Kind { "One." ONE TWO }
    `);
    expect(undescribed(sample)).toEqual(['Query.a(x)', 'Query.b', 'Query.b(i)', 'In', 'In.f', 'Kind', 'Kind.TWO']);
  });
});
