import { beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, useTestDatabase } from '@minergraph/test-support';

const used = useTestDatabase();
let withSuggestions: TestServer;
let introspectionOff: TestServer;
let production: TestServer;

beforeAll(async () => {
  withSuggestions = await used.serve();
  introspectionOff = await used.serve({ introspection: false });
  // NODE_ENV=production with MINERGRAPH_INTROSPECTION=true: introspection on, suggestions off (config.ts).
  production = await used.serve({ introspection: true, suggestions: false });
});

/** A mistake of each kind graphql-js would answer with a suggestion, and the message without it. */
const MISTAKES: [kind: string, query: string, variables: Record<string, unknown> | undefined, message: string][] = [
  ['a field', '{ company(ticker: "CANG") { nam } }', undefined, 'Cannot query field "nam" on type "Company".'],
  ['an argument', '{ company(tickr: "CANG") { name } }', undefined, 'Unknown argument "tickr" on field "Query.company".'],
  [
    'an input field in a literal',
    'mutation { createCompany(input: { name: "x", tickr: "X" }) { userErrors { code } } }',
    undefined,
    'Field "tickr" is not defined by type "CreateCompanyInput".',
  ],
  [
    'an input field in variables',
    'mutation ($input: CreateCompanyInput!) { createCompany(input: $input) { userErrors { code } } }',
    { input: { name: 'x', ticker: 'X', exchang: 'NYSE' } },
    'Variable "$input" got invalid value { name: "x", ticker: "X", exchang: "NYSE" }; Field "exchang" is not defined by type "CreateCompanyInput".',
  ],
  ['a type in a fragment', '{ company(ticker: "CANG") { ... on Compny { name } } }', undefined, 'Unknown type "Compny".'],
  ['a variable type', 'query ($ticker: Strin!) { company(ticker: $ticker) { name } }', { ticker: 'CANG' }, 'Unknown type "Strin".'],
  [
    'an enum value in a literal',
    '{ company(ticker: "CANG") { treasuryTransactions(filter: { kinds: [MINE] }) { totalCount } } }',
    undefined,
    'Value "MINE" does not exist in "TreasuryTransactionKind" enum.',
  ],
  [
    'an enum value in variables',
    'query ($kinds: [TreasuryTransactionKind!]) { company(ticker: "CANG") { treasuryTransactions(filter: { kinds: $kinds }) { totalCount } } }',
    { kinds: ['MINE'] },
    'Variable "$kinds" got invalid value "MINE" at "kinds[0]"; Value "MINE" does not exist in "TreasuryTransactionKind" enum.',
  ],
  ['a field of an interface', '{ node(id: "Q29tcGFueTox") { name } }', undefined, 'Cannot query field "name" on type "Node".'],
];

async function messages(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<string[]> {
  const { errors } = await server.graphql(query, variables);
  return (errors ?? []).map((error) => error.message);
}

describe('"Did you mean ...?" suggestions', () => {
  it("name the schema's fields, arguments, input fields, enum values and types where introspection is on outside production", async () => {
    for (const [kind, query, variables, message] of MISTAKES) {
      const answered = await messages(withSuggestions, query, variables);
      expect(
        answered.find((text) => text.startsWith(message)),
        kind,
      ).toMatch(/ Did you mean .+\?$/);
    }
  });

  for (const [label, server] of [
    ['with introspection off', () => introspectionOff],
    ['in production, even with introspection on', () => production],
  ] as const) {
    it(`are left out of every error ${label}, for each kind of mistake, and the rest of the message stays`, async () => {
      for (const [kind, query, variables, message] of MISTAKES) {
        const answered = await messages(server(), query, variables);
        expect(answered, kind).toContain(message);
        expect(
          answered.filter((text) => text.includes('Did you mean')),
          kind,
        ).toEqual([]);
      }
    });
  }
});
