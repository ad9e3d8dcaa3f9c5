import { describe, expect, it } from 'vitest';
import { compactJson, JsonText, resultText } from '../../src/look-ahead/json-text.js';

// compactJson must give what JSON.stringify(JSON.parse(text)) gives, byte for byte, or null.
const roundTrip = (text: string) => JSON.stringify(JSON.parse(text));

describe('compactJson', () => {
  it.each([
    // PostgreSQL's spacing: json_build_object's " : " and ", ", json_agg's ", " and newlines.
    [
      '{"companies" : {"edges" : [{"node" : {"ticker" : "CANG", "name" : "Cango Inc."}}, \n {"node" : {"ticker" : "MARA", "name" : "MARA Holdings, Inc."}}]}}',
    ],
    ['{"a":1,"b":[1,2,3]}'],
    ['  {"a" : null, "b" : true, "c" : false, "d" : [], "e" : {}}  '],
    // Strings keep spaces, colons, commas, braces and escapes as they are.
    ['{"s" : "a : b, { c } [ d ]  \\" \\\\ \\n \\t \\r \\b \\f \\u0001 \\u001f é 😀 / \x7f"}'],
    // Numbers as JavaScript prints the double: trailing zeros, exponents, -0, large integers.
    ['[1.50, 1e+20, 1e-05, 0.0001, -0, -0.0, 12345678901234567890, 123456789012345, 1234567890123456, 1E3, 2.5e-7, -12.000]'],
    ['{"percentOfSupply" : 0.02, "ltv" : 0.41666666666666669, "n" : -1, "z" : 0}'],
    // Keys that start with a digit but are not followed by a colon: plain strings.
    ['["2026-01-31", "1", "0"]'],
  ])('%s', (text) => {
    expect(compactJson(text)).toBe(roundTrip(text));
  });

  it('leaves text with nothing to change as it is', () => {
    const text = '{"data":{"a":[1,2],"b":"c d"}}';
    expect(compactJson(text)).toBe(text);
  });

  it('vouches for nothing it cannot: a key that starts with a digit, a \\u escape of a printable character', () => {
    // JavaScript orders integer-like keys first: {"b":1,"1":2} comes back as {"1":2,"b":1}.
    expect(compactJson('{"b" : 1, "1" : 2}')).toBeNull();
    expect(roundTrip('{"b" : 1, "1" : 2}')).toBe('{"1":2,"b":1}');
    expect(compactJson('{"2024" : 1}')).toBeNull();
    // JSON.parse would turn \u00e9 into é; PostgreSQL never writes it, so it is not copied either.
    expect(compactJson('{"a" : "caf\\u00e9"}')).toBeNull();
    expect(compactJson('{"a" : "\\u0020"}')).toBeNull();
    expect(compactJson('{"a" : "\\u007f"}')).toBeNull();
    // JSON.stringify writes these as \n and \b, and its hex in lower case: copied, they would differ.
    expect(roundTrip('{"a" : "\\u000a\\u0008\\u001F"}')).toBe('{"a":"\\n\\b\\u001f"}');
    expect(compactJson('{"a" : "\\u000a"}')).toBeNull();
    expect(compactJson('{"a" : "\\u0008"}')).toBeNull();
    expect(compactJson('{"a" : "\\u001F"}')).toBeNull();
    // An unterminated string.
    expect(compactJson('{"a" : "b')).toBeNull();
  });
});

describe('resultText', () => {
  it("writes Apollo's body for a JsonText answer with nothing else, and nothing for any other", () => {
    expect(resultText({ data: new JsonText('{"a":1}') })).toBe('{"data":{"a":1}}\n');
    expect(resultText({ data: new JsonText('{"a":1}'), errors: [] })).toBeNull();
    expect(resultText({ data: new JsonText('{"a":1}'), extensions: {} })).toBeNull();
    expect(resultText({ data: { a: 1 } })).toBeNull();
    // Serialised any other way, it is the value itself.
    expect(JSON.stringify({ data: new JsonText('{"a":[1,2]}') })).toBe('{"data":{"a":[1,2]}}');
  });
});
