import {
  Kind,
  getNullableType,
  isInputObjectType,
  isInputType,
  isListType,
  isScalarType,
  typeFromAST,
  type ASTVisitor,
  type GraphQLInputType,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { clientError } from './error-codes.js';
import { strictParsers } from './scalars.js';

/**
 * Reports a bad Decimal, Date or DateTime literal once, naming the argument and the path
 * inside it (e.g. `input.points.12.high`). The scalars' own literal parsers stay quiet
 * about such literals so that graphql-js does not add a second, vaguer error.
 */
export function ScalarLiteralsRule(context: ValidationContext): ASTVisitor {
  function check(value: ValueNode, type: GraphQLInputType, path: string[]): void {
    if (value.kind === Kind.VARIABLE || value.kind === Kind.NULL) return;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      if (value.kind === Kind.LIST) value.values.forEach((item, index) => void check(item, nullable.ofType, [...path, String(index)]));
      else check(value, nullable.ofType, path);
      return;
    }
    if (isInputObjectType(nullable)) {
      if (value.kind !== Kind.OBJECT) return;
      const fields = nullable.getFields();
      for (const field of value.fields) {
        const definition = fields[field.name.value];
        if (definition) check(field.value, definition.type, [...path, field.name.value]);
      }
      return;
    }
    if (!isScalarType(nullable)) return;
    const parse = strictParsers[nullable.name];
    if (!parse) return;
    const raw =
      value.kind === Kind.STRING ? value.value : value.kind === Kind.INT || value.kind === Kind.FLOAT ? Number(value.value) : undefined;
    try {
      if (raw === undefined) throw new Error(`${nullable.name} must be written as a string.`);
      if (nullable.name === 'Decimal' && value.kind === Kind.FLOAT) {
        throw new Error(`${value.value} is a number literal; pass decimals as strings ("${value.value}") so that no precision is lost.`);
      }
      if (value.kind === Kind.INT && !Number.isSafeInteger(raw))
        throw new Error(`${value.value} is too large to be exact as a number; pass decimals as strings.`);
      parse(raw);
    } catch (error) {
      context.reportError(
        clientError('BAD_USER_INPUT', `Invalid value for "${path.join('.')}": ${(error as Error).message}`, {
          nodes: value,
          extensions: { field: path },
        }),
      );
    }
  }

  return {
    Argument(node) {
      const argument = context.getArgument();
      if (argument) check(node.value, argument.type, [node.name.value]);
    },
    VariableDefinition(node) {
      if (!node.defaultValue) return;
      const type = typeFromAST(context.getSchema(), node.type);
      if (type && isInputType(type)) check(node.defaultValue, type, [`$${node.variable.name.value}`]);
    },
  };
}
