import {
  Decimal,
  limitProblem,
  normaliseSourceUrl,
  normaliseSymbol,
  rejected,
  textProblem,
  type DecimalLimit,
  type UserErrorCode,
  type UserErrorModel,
  type WriteResult,
} from '@minergraph/schema';

export function userError(field: string[] | null, code: UserErrorCode, message: string): UserErrorModel {
  return { field, code, message };
}

/**
 * Collects what is wrong with an input, every problem with the path of its field, so a client
 * learns all of them at once. Decimals arrive already parsed (canonical) by the Decimal scalar.
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
    return rejected(...this.errors);
  }

  /**
   * Text: required ones not blank, at most `max` characters, well-formed and without control
   * characters (`multiline` text may hold tab, LF and CR).
   */
  text(field: string[], value: string | null | undefined, options: { required?: boolean; max?: number; multiline?: boolean } = {}): void {
    const max = options.max ?? 200;
    const name = field.at(-1)!;
    if (value === null || value === undefined) {
      if (options.required) this.add(field, `${name} is required.`);
      return;
    }
    if (options.required && value.trim() === '') {
      this.add(field, `${name} must not be blank.`);
      return;
    }
    if (value.length > max) {
      this.add(field, `${name} must be at most ${max} characters.`);
      return;
    }
    const problem = textProblem(name, value, { multiline: options.multiline ?? false });
    if (problem) this.add(field, problem);
  }

  /** A decimal within the limit of what it means (see decimal-limits.ts), with the sign the field needs. */
  decimal(field: string[], value: string | null | undefined, limit: DecimalLimit, sign: 'positive' | 'non-negative' | 'non-zero'): void {
    if (value === null || value === undefined) return;
    const name = field.at(-1)!;
    const beyond = limitProblem(limit, name, value);
    if (beyond) {
      this.add(field, beyond);
      return;
    }
    const amount = new Decimal(value);
    if (sign === 'positive' && amount.lte(0)) this.add(field, `${name} must be greater than 0; it was ${amount.toFixed()}.`);
    if (sign === 'non-negative' && amount.lt(0)) this.add(field, `${name} must not be negative; it was ${amount.toFixed()}.`);
    if (sign === 'non-zero' && amount.isZero()) this.add(field, `${name} must not be 0.`);
  }

  ratio(field: string[], value: number | null | undefined): void {
    if (value === null || value === undefined) return;
    if (!Number.isFinite(value) || value <= 0 || value > 10)
      this.add(field, `${field.at(-1)} must be a fraction above 0 (0.7 means 70 %); it was ${value}.`);
  }

  dayOrder(earlier: [string[], string | null | undefined], later: [string[], string | null | undefined]): void {
    const [, from] = earlier;
    const [field, to] = later;
    if (from && to && to < from) this.add(field, `${field.at(-1)} (${to}) is before ${earlier[0].at(-1)} (${from}).`);
  }

  /** A source URL by SOURCE_URL_RULE: the normalised URL to store, or null (and a problem). */
  url(field: string[], value: string | null | undefined): string | null {
    if (value === null || value === undefined) return null;
    const checked = normaliseSourceUrl(field.at(-1)!, value);
    if ('problem' in checked) {
      this.add(field, checked.problem);
      return null;
    }
    return checked.url;
  }

  /** A ticker or symbol by SYMBOL_RULE, upper-cased; `cang` and `CANG` are one company. */
  symbol(field: string[], value: string): string {
    const checked = normaliseSymbol(field.at(-1)!, value);
    if ('problem' in checked) {
      this.add(field, checked.problem);
      return value;
    }
    return checked.symbol;
  }
}
