import type { UserErrorModel } from '@minergraph/schema';
import { userError } from './problems.js';

/**
 * The database's unique keys a write can run into, by the names
 * db/migrations/2026-11-28T00-20_named-unique-constraints.ts gives them, and
 * the input field a duplicate is answered on (ALREADY_EXISTS). A write checks nothing of these
 * itself: two concurrent writes would both pass such a check, and only the key decides.
 */
const DUPLICATE_FIELDS = {
  companies_ticker_unique: ['input', 'ticker'],
  sites_company_name_unique: ['input', 'name'],
  production_reports_company_period_unique: ['input', 'periodStart'],
  holdings_reports_company_day_unique: ['input', 'heldBtc'],
  assets_symbol_unique: ['input', 'symbol'],
  corporate_actions_asset_day_unique: ['input', 'effectiveOn'],
} as const satisfies Record<string, readonly string[]>;

export type UniqueKey = keyof typeof DUPLICATE_FIELDS;

/** What a write answers, in its own words, when its row would repeat one of these keys. */
export type DuplicateMessages = Partial<Record<UniqueKey, string>>;

/** The key a write claims its idempotency key by; a concurrent retry meets it. */
export const IDEMPOTENCY_KEY_CLAIM = 'idempotency_keys_pkey';

/** PostgreSQL's unique_violation, from pg or PGlite, of the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === constraint;
}

/** The userError for a unique violation the write has words for; null for any other error. */
export function duplicateError(error: unknown, messages: DuplicateMessages): UserErrorModel | null {
  for (const [key, message] of Object.entries(messages) as [UniqueKey, string][]) {
    if (isUniqueViolation(error, key)) return userError([...DUPLICATE_FIELDS[key]], 'ALREADY_EXISTS', message);
  }
  return null;
}
