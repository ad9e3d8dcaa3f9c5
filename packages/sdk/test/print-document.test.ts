import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printDocument } from '../src/print-document.js';

/** Every construct an executable document can hold. */
const kitchenSink = `
query Everything($ticker: String! = "CANG", $on: Date, $kinds: [TreasuryTransactionKind!] = [SOLD, MINED], $skip: Boolean! = false) @live(if: true) {
  btc: asset(symbol: "BTC") { symbol allTimeHigh { at priceUsd } }
  company(ticker: $ticker) @skip(if: $skip) {
    __typename
    name
    holdings(on: $on) { btc ...Held }
    treasuryTransactions(first: 2, filter: { kinds: $kinds, note: "a \\"quoted\\" note\\nwith a line break", nested: { list: [1, 2.5, null, true, ENUM] } }) {
      edges { node { id } }
    }
    ... on Node { id }
    ... @include(if: true) { ticker }
  }
}

mutation { createCompany(input: { name: "Ünïcode ₿", ticker: "X" }) { company { id } } }

{ assets { symbol } }

fragment Held on Holdings @deprecated { btc valueUsd }
`;

describe('printing a parsed document without the graphql runtime', () => {
  it('prints every executable construct so that graphql reads back the same document', () => {
    const ast = parse(kitchenSink, { noLocation: true });
    expect(print(parse(printDocument(ast)))).toBe(print(ast));
  });

  it('prints an anonymous query as its selection set alone, and a named one with its variables', () => {
    expect(printDocument(parse('{ assets { symbol } }'))).toBe('{\n  assets {\n    symbol\n  }\n}');
    expect(printDocument(parse('query Q($a: Int = 1) { x(a: $a) }'))).toBe('query Q($a: Int = 1) {\n  x(a: $a)\n}');
  });

  it('refuses a schema definition, which no server runs', () => {
    expect(() => printDocument(parse('type Query { a: Int }'))).toThrow(
      'cannot print a GraphQL ObjectTypeDefinition node in an executable document',
    );
  });
});
