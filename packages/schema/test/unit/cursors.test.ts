import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageRequest, type CursorPart } from '../../src/pagination.js';

const refusal = (connection: string) => `"after" is not a cursor of ${connection}; pass an endCursor this connection returned.`;

/** The BAD_USER_INPUT error decodeCursor throws, as message, code and field. */
function refused(connection: string, cursor: string, key: readonly CursorPart[]) {
  try {
    decodeCursor(connection, cursor, key);
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    const { message, extensions } = error as GraphQLError;
    return { message, code: extensions.code, field: extensions.field };
  }
  throw new Error(`decodeCursor accepted ${JSON.stringify(cursor)} for ${connection}`);
}

const raw = (json: string) => Buffer.from(json).toString('base64url');

describe('cursors', () => {
  it('are base64url JSON of the connection and the sort key, and decode to the key', () => {
    const cursor = encodeCursor('companies:NAME_ASC', ['Cango Inc.', '42']);
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toBe('["companies:NAME_ASC","Cango Inc.","42"]');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('companies:NAME_ASC', cursor, ['text', 'id'])).toEqual(['Cango Inc.', '42']);
  });

  it('round-trip text that JSON and base64 must escape', () => {
    const key = ['"quoted" \\ back/slash ü 🟧', '2026-11-27', '-0.00000001'];
    expect(decodeCursor('x', encodeCursor('x', key), ['text', 'day', 'decimal'])).toEqual(key);
  });

  it('of another connection are refused, naming the connection asked for', () => {
    const tickerCursor = encodeCursor('companies:TICKER_ASC', ['MARA']);
    expect(refused('companies:NAME_ASC', tickerCursor, ['text'])).toEqual({
      message: refusal('companies:NAME_ASC'),
      code: 'BAD_USER_INPUT',
      field: ['after'],
    });
    // The right connection's name, but a key of another length.
    expect(refused('companies:NAME_ASC', encodeCursor('companies:NAME_ASC', ['MARA']), ['text', 'id']).message).toBe(
      refusal('companies:NAME_ASC'),
    );
  });

  it('that are garbage or tampered with are refused with the same message', () => {
    const connection = 'treasuryTransactions';
    const key: CursorPart[] = ['day', 'id'];
    const garbage = [
      '',
      'not a cursor!',
      '%%%%',
      raw('{"connection":"treasuryTransactions"}'),
      raw('"treasuryTransactions"'),
      raw('null'),
      raw('["treasuryTransactions","2026-01-01",7]'),
      raw('["treasuryTransactions","2026-01-01"]'),
      raw('["treasuryTransactions","2026-01-01","7","8"]'),
      raw('["treasuryTransactions","2026-01-01","7"'),
      // A valid cursor with one character flipped.
      `${encodeCursor(connection, ['2026-01-01', '7']).slice(0, -2)}A`,
    ];
    for (const cursor of garbage) expect(refused(connection, cursor, key).message, cursor).toBe(refusal(connection));
  });

  describe('check each part of the sort key', () => {
    const valid: Record<CursorPart, string[]> = {
      text: ['', 'MARA', ' spaced ', '1e5'],
      id: ['1', '007', '999999999999999999'],
      day: ['2026-11-27', '2024-02-29', '0001-01-01', '9999-12-31'],
      decimal: ['0', '-12.5', '0.00000001', `${'9'.repeat(30)}.${'1'.repeat(30)}`],
    };
    const invalid: Record<Exclude<CursorPart, 'text'>, string[]> = {
      id: ['', '-1', '1.0', '12a', ' 1', '1234567890123456789'],
      day: ['', '2023-02-29', '2026-13-01', '2026-1-01', '0000-01-01', '2026-11-27T00:00:00Z'],
      decimal: ['', '1e5', '1.', '.5', '+1', '1,000', `${'9'.repeat(31)}`, `0.${'1'.repeat(31)}`],
    };

    it.each(Object.entries(valid))('%s accepts its values', (part, values) => {
      for (const value of values) {
        expect(decodeCursor('c', encodeCursor('c', [value]), [part as CursorPart])).toEqual([value]);
      }
    });

    it.each(Object.entries(invalid))('%s refuses what a hand edit could put there', (part, values) => {
      for (const value of values) expect(refused('c', encodeCursor('c', [value]), [part as CursorPart]).message, value).toBe(refusal('c'));
    });
  });
});

describe('pageRequest', () => {
  it('defaults to 20 rows from the start, and decodes `after`', () => {
    expect(pageRequest('sites', {}, { status: null }, ['text', 'id'])).toEqual({ first: 20, after: null, filter: { status: null } });
    expect(pageRequest('sites', { first: 0, after: encodeCursor('sites', ['Rockdale', '3']) }, {}, ['text', 'id'])).toEqual({
      first: 0,
      after: ['Rockdale', '3'],
      filter: {},
    });
  });

  it('refuses a page size outside 0 to 100, naming "first"', () => {
    for (const first of [-1, 101]) {
      expect(() => pageRequest('sites', { first }, {}, ['id'])).toThrowError(
        expect.objectContaining({
          message: `"first" must be between 0 and 100; it was ${first}.`,
          extensions: { code: 'BAD_USER_INPUT', field: ['first'] },
        }),
      );
    }
  });
});
