import { Decimal, canonical, divide } from './decimal.js';
import type { CorporateActionModel, PricePointModel } from './models.js';

/**
 * Prices observed before `effectiveOn` (a UTC day) are divided by the product of `ratios`: the
 * ratios of this change and of every later one.
 */
export interface AdjustmentStep {
  effectiveOn: string;
  ratios: string[];
}

/**
 * The one statement of which ratio changes adjust which prices, for the points adjusted here and
 * for the SQL that adjusts candles, change and the all-time high row by row: the steps, oldest
 * change first. A price from before the first change is divided by every ratio, one from before
 * the second by every ratio but the first, ..., one from the last change's day on by none.
 */
export function adjustmentSteps(actions: readonly CorporateActionModel[]): AdjustmentStep[] {
  const oldestFirst = [...actions].sort((a, b) => (a.effectiveOn < b.effectiveOn ? -1 : a.effectiveOn > b.effectiveOn ? 1 : 0));
  return oldestFirst.map((action, index) => ({
    effectiveOn: action.effectiveOn,
    ratios: oldestFirst.slice(index).map((later) => later.ratio),
  }));
}

/**
 * How many of today's units one unit at `at` became: the product of the ratios of the
 * changes that took effect after that day. 1 when nothing changed since.
 */
export function unitsSince(at: Date, actions: readonly CorporateActionModel[]): Decimal {
  const day = at.toISOString().slice(0, 10);
  const step = adjustmentSteps(actions).find((candidate) => day < candidate.effectiveOn);
  return (step?.ratios ?? []).reduce((factor, ratio) => factor.times(ratio), new Decimal(1));
}

/** A price as it compares with today's units: divided by the units one old unit became. */
export function adjustPoint(point: PricePointModel | null, actions: readonly CorporateActionModel[]): PricePointModel | null {
  if (!point || actions.length === 0) return point;
  const factor = unitsSince(point.at, actions);
  return factor.eq(1) ? point : { ...point, priceUsd: canonical(divide(point.priceUsd, factor)) };
}
