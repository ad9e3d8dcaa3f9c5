import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactJson } from '../src/look-ahead/json-text.js';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';

// Look-ahead passes PostgreSQL's JSON text through (src/look-ahead/json-text.ts) where it used to
// parse it and let JSON.stringify write it again. Here the database itself writes JSON of every
// kind the compiled statements put in an answer, and the text passed through must be what the
// round trip gives, byte for byte.

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('empty');
});

afterAll(async () => {
  await database?.destroy();
});

/** Each a JSON expression as the compiled statements build them. */
const EXPRESSIONS: [string, string][] = [
  [
    'strings with separators, quotes, backslashes, control characters and non-ASCII',
    `json_build_object('a', 'x : y, z {}[]', 'b', E'tab\\there', 'c', E'nl\\nq"\\\\', 'd', chr(1) || chr(8) || chr(12) || chr(31) || chr(127), 'e', 'é 😀 / ü', 'f', '')`,
  ],
  [
    'numbers of every type',
    `json_build_array(1.50::numeric, 0.00000001::numeric, 100::numeric, -0.5::numeric, 1e20::float8, 1e-5::float8, '-0'::float8, 0.1::float8 + 0.2::float8,
      12345678901234567890::numeric, 123456789012345::bigint, 9007199254740993::bigint, 1.0e-7::float8, 2.5::float4, 1e15::float8, 123456789.123456789::float8,
      2147483647::integer, (-2147483648)::integer, 0::numeric(10, 4))`,
  ],
  ['non-finite floats, which PostgreSQL writes as strings', `json_build_array('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`],
  [
    'an aggregate of objects, as a connection is built',
    `(select json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object('ticker', 'T' || g, 'n', g, 'ratio', g / 7.0, 'f', g / 7.0::float8)) order by g), '[]'::json))
      from generate_series(1, 60) g)`,
  ],
  [
    'arrays of text and dates',
    `json_build_object('lines', to_json(array['mining', 'AI compute', E'a\\tb']), 'days', to_json(array['2026-01-31'::date, '2025-12-31'::date]))`,
  ],
  [
    'timestamps and booleans',
    `json_build_object('at', to_json('2026-02-09 12:34:56.789+00'::timestamptz), 'yes', true, 'no', false, 'none', null)`,
  ],
  ['jsonb, which spaces differently', `to_json('{"b": 1.50, "a": [1, 2, {"c": "d"}], "e": null}'::jsonb)`],
  ['a row', `(select row_to_json(r) from (select 1 as one, 'two' as two, 3.0 as three) r)`],
  ['empty containers', `json_build_object('a', '[]'::json, 'b', '{}'::json, 'c', json_build_array())`],
];

describe(`PostgreSQL's JSON text passed through (${engine})`, () => {
  it.each(EXPRESSIONS)('%s', async (_name, expression) => {
    const { rows } = await sql<{ text: string }>`select (${sql.raw(expression)})::text as text`.execute(database.db);
    const text = rows[0]!.text;
    const compact = compactJson(text);
    // Vouched for, so the pass-through is what runs.
    expect(compact).not.toBeNull();
    expect(compact).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('an object with a key that starts with a digit is left to the round trip', async () => {
    const { rows } = await sql<{ text: string }>`select json_build_object('b', 1, '1', 2)::text as text`.execute(database.db);
    expect(compactJson(rows[0]!.text)).toBeNull();
  });
});
