import { describe, expect, it } from 'vitest';
import { adjustmentSteps, adjustPoint } from '../../src/adjustments.js';
import type { CorporateActionModel, PricePointModel } from '../../src/models.js';

const action = (effectiveOn: string, ratio: string): CorporateActionModel => ({
  id: effectiveOn,
  assetId: '1',
  effectiveOn,
  ratio,
  description: 'test',
  sourceId: null,
});
const point = (at: string, priceUsd: string): PricePointModel => ({ assetId: '1', at: new Date(at), priceUsd, sourceId: null });

// A 2-for-1 split on 2025-12-01, then a 1-for-2 reverse split on 2026-01-05, listed newest first.
const ACTIONS = [action('2026-01-05', '0.5'), action('2025-12-01', '2')];

describe('adjustmentSteps', () => {
  it('lists the changes oldest first, each with its ratio and every later one', () => {
    expect(adjustmentSteps(ACTIONS)).toEqual([
      { effectiveOn: '2025-12-01', ratios: ['2', '0.5'] },
      { effectiveOn: '2026-01-05', ratios: ['0.5'] },
    ]);
    expect(adjustmentSteps([])).toEqual([]);
  });
});

describe('adjustPoint', () => {
  it('divides a price by the ratios of the changes after its UTC day, rounding half-up at 8 places', () => {
    expect(adjustPoint(point('2025-11-15T00:00:00Z', '3.8'), ACTIONS)!.priceUsd).toBe('3.8');
    expect(adjustPoint(point('2025-12-31T23:59:59Z', '3.8'), ACTIONS)!.priceUsd).toBe('7.6');
    expect(adjustPoint(point('2025-11-30T23:59:59Z', '10'), [action('2025-12-01', '3')])!.priceUsd).toBe('3.33333333');
    expect(adjustPoint(point('2025-11-30T23:59:59Z', '0.00000005'), [action('2025-12-01', '2')])!.priceUsd).toBe('0.00000003');
  });

  it('leaves a price from the day of the last change on as observed', () => {
    const latest = point('2026-01-05T00:00:00Z', '3.8');
    expect(adjustPoint(latest, ACTIONS)).toBe(latest);
  });
});
