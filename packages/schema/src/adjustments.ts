import { Decimal, canonical, divide } from './decimal.js';
import type { CorporateActionModel, PricePointModel } from './models.js';

/**
 * How many of today's units one unit at `at` became: the product of the ratios of the
 * changes that took effect after that day. 1 when nothing changed since.
 */
export function unitsSince(at: Date, actions: readonly CorporateActionModel[]): Decimal {
  const day = at.toISOString().slice(0, 10);
  return actions.reduce((factor, action) => (action.effectiveOn > day ? factor.times(action.ratio) : factor), new Decimal(1));
}

/** A price as it compares with today's units: divided by the units one old unit became. */
export function adjustPoint(point: PricePointModel | null, actions: readonly CorporateActionModel[]): PricePointModel | null {
  if (!point || actions.length === 0) return point;
  const factor = unitsSince(point.at, actions);
  return factor.eq(1) ? point : { ...point, priceUsd: canonical(divide(point.priceUsd, factor)) };
}
