import type { Kysely } from 'kysely';
import {
  Decimal,
  RATIO_LIMIT,
  rejected,
  type Actor,
  type AssetModel,
  type CorporateActionModel,
  type CreateAssetInput,
  type RecordCorporateActionInput,
  type RecordPricesInput,
  type WriteResult,
} from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { checkObservation } from '../prices/observation-rules.js';
import { assetsBySymbols, insertAsset, insertCorporateAction, upsertPrices, type NewPricePoint } from '../repositories/asset.repository.js';
import { Problems, userError } from './problems.js';
import { checkSource, recordSource } from './source.js';
import { runWrite } from './transaction.js';

export const MAX_POINTS_PER_CALL = 10_000;

export async function createAsset(db: Kysely<Database>, input: CreateAssetInput, actor: Actor): Promise<WriteResult<AssetModel>> {
  const problems = new Problems();
  const symbol = problems.symbol(['input', 'symbol'], input.symbol);
  problems.text(['input', 'name'], input.name, { required: true });
  const quoteCurrency = (input.quoteCurrency ?? 'USD').trim();
  if (!/^[A-Za-z]{3,5}$/.test(quoteCurrency))
    problems.add(['input', 'quoteCurrency'], 'quoteCurrency must be a currency code such as USD.');
  if (problems.any) return problems.result();
  return runWrite(
    db,
    async (trx) => {
      const asset = await insertAsset(trx, {
        symbol,
        name: input.name.trim(),
        kind: input.kind,
        quoteCurrency: quoteCurrency.toUpperCase(),
        createdByApiKeyId: actor.apiKeyId,
      });
      return { value: asset, change: { kind: 'asset', symbol: asset.symbol, assetId: asset.id } };
    },
    { duplicates: { assets_symbol_unique: `An asset with symbol ${symbol} exists already.` } },
  );
}

/**
 * Checks every point by the rules the CSV import uses too (checkObservation), and fills in a
 * single quote (open = high = low = close). Every problem carries the point's index, e.g.
 * ["input", "points", "12", "high"].
 */
function pricePoints(problems: Problems, input: RecordPricesInput): NewPricePoint[] {
  if (input.points.length > MAX_POINTS_PER_CALL) {
    problems.add(['input', 'points'], `At most ${MAX_POINTS_PER_CALL} points fit in one call; this one has ${input.points.length}.`);
    return [];
  }
  const seen = new Map<number, number>();
  const points: NewPricePoint[] = [];
  input.points.forEach((point, index) => {
    const field = (name: string) => ['input', 'points', String(index), name];
    const checked = checkObservation(point);
    if (checked.ok) points.push(checked.point);
    else for (const problem of checked.problems) problems.add(field(problem.field), problem.message);
    const earlier = seen.get(point.at.getTime());
    if (earlier !== undefined) problems.add(field('at'), `Point ${earlier} has the same instant, ${point.at.toISOString()}.`);
    else seen.set(point.at.getTime(), index);
  });
  return points;
}

/** All or nothing: one bad point and no point is written. */
export async function recordPrices(
  db: Kysely<Database>,
  input: RecordPricesInput,
  actor: Actor,
): Promise<WriteResult<{ inserted: number; updated: number }>> {
  const problems = new Problems();
  const symbol = problems.symbol(['input', 'symbol'], input.symbol);
  const points = pricePoints(problems, input);
  const source = checkSource(problems, ['input', 'source'], input.source);
  if (problems.any) return problems.result();
  const [asset] = await assetsBySymbols(db, [symbol]);
  if (!asset) return rejected(userError(['input', 'symbol'], 'NOT_FOUND', `No asset has the symbol ${symbol}.`));
  return runWrite(db, async (trx) => {
    const sourceId = await recordSource(trx, source, actor.apiKeyId);
    const counts = await upsertPrices(trx, asset.id, points, { sourceId, createdByApiKeyId: actor.apiKeyId });
    const instants = points.map((point) => point.at.getTime());
    return {
      value: counts,
      change: {
        kind: 'prices',
        symbol,
        assetId: asset.id,
        ...counts,
        from: instants.length ? new Date(Math.min(...instants)).toISOString() : null,
        to: instants.length ? new Date(Math.max(...instants)).toISOString() : null,
      },
    };
  });
}

/** A ratio change of an equity's units; adjusted prices follow from it at once. */
export async function recordCorporateAction(
  db: Kysely<Database>,
  input: RecordCorporateActionInput,
  actor: Actor,
): Promise<WriteResult<CorporateActionModel>> {
  const problems = new Problems();
  const symbol = problems.symbol(['input', 'symbol'], input.symbol);
  problems.decimal(['input', 'ratio'], input.ratio, RATIO_LIMIT, 'positive');
  if (new Decimal(input.ratio).eq(1)) problems.add(['input', 'ratio'], 'ratio 1 changes nothing.');
  problems.text(['input', 'description'], input.description, { required: true, max: 500, multiline: true });
  const source = checkSource(problems, ['input', 'source'], input.source);
  if (problems.any) return problems.result();
  const [asset] = await assetsBySymbols(db, [symbol]);
  if (!asset) return rejected(userError(['input', 'symbol'], 'NOT_FOUND', `No asset has the symbol ${symbol}.`));
  if (asset.kind !== 'EQUITY') {
    return rejected(userError(['input', 'symbol'], 'VALIDATION_FAILED', `${symbol} is not an equity; only listed units change ratio.`));
  }
  return runWrite(
    db,
    async (trx) => {
      const action = await insertCorporateAction(trx, {
        assetId: asset.id,
        effectiveOn: input.effectiveOn,
        ratio: input.ratio,
        description: input.description.trim(),
        sourceId: await recordSource(trx, source, actor.apiKeyId),
        createdByApiKeyId: actor.apiKeyId,
      });
      return { value: action, change: { kind: 'corporateAction', symbol, assetId: asset.id, ids: [action.id] } };
    },
    { duplicates: { corporate_actions_asset_day_unique: `${symbol} already has a ratio change on ${input.effectiveOn}.` } },
  );
}
