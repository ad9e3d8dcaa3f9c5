// The API's custom scalars travel as strings; these names say which kind of string.

/**
 * An exact decimal in canonical form: "7474.6", "305000000", "-0.02". BTC amounts, USD amounts,
 * prices. Keep it a string, or use a decimal library: `Number()` loses exactness.
 */
export type DecimalString = string;

/** A calendar day in UTC: "2026-01-31". */
export type DateString = string;

/** An instant, ISO-8601 in UTC ending in "Z": "2026-02-09T00:00:00.000Z". */
export type DateTimeString = string;

/**
 * The API's custom scalars as TypeScript types, for gql.tada:
 * `initGraphQLTada<{ introspection: introspection; scalars: MinerGraphScalars }>()`.
 */
export interface MinerGraphScalars {
  Decimal: DecimalString;
  Date: DateString;
  DateTime: DateTimeString;
}

/**
 * For graphql-codegen's `config.scalars` (the client preset's too): each custom scalar typed with
 * this package's own type, so a team's generated types say `DecimalString`, not `unknown`.
 */
export const scalars = {
  Decimal: '@minergraph/sdk#DecimalString',
  Date: '@minergraph/sdk#DateString',
  DateTime: '@minergraph/sdk#DateTimeString',
} as const;
