import { Decimal, SATOSHI_PLACES, type UserErrorCode, type UserErrorModel, type WriteResult } from '@minergraph/schema';

/** Raised inside a write's transaction to roll it back and answer with userErrors. */
export class Rejection extends Error {
  constructor(readonly userErrors: UserErrorModel[]) {
    super(userErrors.map((error) => error.message).join('; '));
  }
}

export function ok<T>(value: T): WriteResult<T> {
  return { ok: true, value };
}

export function rejected(...userErrors: UserErrorModel[]): WriteResult<never> {
  return { ok: false, userErrors };
}

export function userError(field: string[] | null, code: UserErrorCode, message: string): UserErrorModel {
  return { field, code, message };
}

/**
 * Collects what is wrong with an input, every problem with the path of its field, so a client
 * learns all of them at once. Decimals arrive already parsed by the Decimal scalar.
 */
export class Problems {
  readonly errors: UserErrorModel[] = [];

  get any(): boolean {
    return this.errors.length > 0;
  }

  add(field: string[], message: string, code: UserErrorCode = 'VALIDATION_FAILED'): void {
    this.errors.push(userError(field, code, message));
  }

  result(): WriteResult<never> {
    return { ok: false, userErrors: this.errors };
  }

  text(field: string[], value: string | null | undefined, options: { required?: boolean; max?: number } = {}): void {
    const max = options.max ?? 200;
    if (value === null || value === undefined) {
      if (options.required) this.add(field, `${field.at(-1)} is required.`);
      return;
    }
    if (options.required && value.trim() === '') this.add(field, `${field.at(-1)} must not be blank.`);
    else if (value.length > max) this.add(field, `${field.at(-1)} must be at most ${max} characters.`);
  }

  /** A BTC amount: at most 8 decimals (one satoshi), and the sign the field needs. */
  btc(field: string[], value: string | null | undefined, sign: 'positive' | 'non-negative' | 'non-zero'): void {
    if (value === null || value === undefined) return;
    const amount = new Decimal(value);
    if (amount.decimalPlaces() > SATOSHI_PLACES) {
      this.add(field, `${field.at(-1)} has ${amount.decimalPlaces()} decimals; BTC has at most 8 (one satoshi).`);
    }
    this.sign(field, amount, sign);
  }

  amount(field: string[], value: string | null | undefined, sign: 'positive' | 'non-negative'): void {
    if (value === null || value === undefined) return;
    this.sign(field, new Decimal(value), sign);
  }

  private sign(field: string[], amount: Decimal, sign: 'positive' | 'non-negative' | 'non-zero'): void {
    const name = field.at(-1);
    if (sign === 'positive' && amount.lte(0)) this.add(field, `${name} must be greater than 0; it was ${amount.toFixed()}.`);
    if (sign === 'non-negative' && amount.lt(0)) this.add(field, `${name} must not be negative; it was ${amount.toFixed()}.`);
    if (sign === 'non-zero' && amount.isZero()) this.add(field, `${name} must not be 0.`);
  }

  ratio(field: string[], value: number | null | undefined): void {
    if (value === null || value === undefined) return;
    if (!Number.isFinite(value) || value <= 0 || value > 10) this.add(field, `${field.at(-1)} must be a fraction above 0 (0.7 means 70 %); it was ${value}.`);
  }

  dayOrder(earlier: [string[], string | null | undefined], later: [string[], string | null | undefined]): void {
    const [, from] = earlier;
    const [field, to] = later;
    if (from && to && to < from) this.add(field, `${field.at(-1)} (${to}) is before ${earlier[0].at(-1)} (${from}).`);
  }

  url(field: string[], value: string | null | undefined): void {
    if (value === null || value === undefined) return;
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) this.add(field, 'url must be an http(s) URL.');
    else if (value.length > 2000) this.add(field, 'url must be at most 2000 characters.');
  }
}

const SYMBOL = /^[A-Z0-9.-]{1,12}$/;

/** Tickers and symbols are stored upper-case: `cang` and `CANG` are one company. */
export function normaliseSymbol(problems: Problems, field: string[], value: string): string {
  const symbol = value.trim().toUpperCase();
  if (!SYMBOL.test(symbol)) problems.add(field, `${field.at(-1)} must be 1 to 12 letters, digits, "." or "-"; it was "${value}".`);
  return symbol;
}

/** PostgreSQL's unique_violation, from pg or PGlite. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
