import { readFileSync } from 'node:fs';
import { clientError, ERROR_CODES, isClientCode, type ErrorCode } from '@minergraph/schema';
import { describe, expect, it } from 'vitest';
import { formatError } from '../src/http/errors.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

/** The README's table of error codes, as the catalogue gives it. */
function table(): string {
  return [
    '| code | HTTP status | meaning |',
    '| --- | --- | --- |',
    ...codes.map((code) => `| \`${code}\` | ${ERROR_CODES[code].status} | ${ERROR_CODES[code].meaning.replaceAll('|', '\\|')} |`),
  ].join('\n');
}

describe('the error-code catalogue', () => {
  it('is what a client sees: every code but the server-worded two passes with its own message; those two never carry a thrown message', () => {
    const seen = codes.map((code) => {
      const error = clientError(code, `a message for ${code}`, { extensions: { field: ['input', 'x'] } });
      const formatted = formatError({ message: error.message, extensions: error.extensions }, error);
      return [code, formatted.message, formatted.extensions?.code];
    });
    expect(seen).toEqual(
      codes.map((code) =>
        isClientCode(code)
          ? [code, `a message for ${code}`, code]
          : [code, 'Internal server error. The server logged the details under this requestId.', 'INTERNAL_SERVER_ERROR'],
      ),
    );
    expect(codes.filter((code) => !isClientCode(code))).toEqual(['DATABASE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);
  });

  it('gives a request it ends the status of its code, and headers when asked', () => {
    const error = clientError('RATE_LIMITED', 'slow down', {
      endsRequest: true,
      headers: new Map([['retry-after', '3']]),
      extensions: { retryAfter: 3 },
    });
    expect(error.extensions).toEqual({
      retryAfter: 3,
      code: 'RATE_LIMITED',
      http: { status: 429, headers: new Map([['retry-after', '3']]) },
    });
    expect(clientError('NOT_COMPUTABLE', 'no').extensions).toEqual({ code: 'NOT_COMPUTABLE' });
  });

  it('is listed in the README, code by code', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = /<!-- error-codes -->\n([\s\S]*?)\n<!-- \/error-codes -->/.exec(readme);
    expect(section?.[1], `README.md needs this table between <!-- error-codes --> and <!-- /error-codes -->:\n${table()}`).toBe(table());
  });
});
