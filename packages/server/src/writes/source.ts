import type { Kysely } from 'kysely';
import { isPlainDecimal, type SourceInput } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { quoteStates } from '../facts/quote-states.js';
import { insertSource } from '../repositories/source.repository.js';
import type { Problems } from './problems.js';

/**
 * Checks a source; answers it as it is to be stored (title trimmed, URL normalised). With
 * `required`, a write without one is refused: every fact carries its source. A quote, when
 * given, must print `states` (the write's number) in one of the usual ways (quoteStates).
 */
export function checkSource(
  problems: Problems,
  field: string[],
  source: SourceInput | null | undefined,
  options: { required?: boolean; states?: { field: string; value: string | null | undefined } } = {},
): SourceInput | null {
  if (!source) {
    if (options.required) problems.add(field, 'source is required: every fact carries where it was published.');
    return null;
  }
  problems.text([...field, 'title'], source.title, { required: true, max: 500 });
  const url = problems.url([...field, 'url'], source.url);
  problems.text([...field, 'publisher'], source.publisher, { max: 200 });
  problems.text([...field, 'quote'], source.quote, { max: 2000 });
  const stated = options.states;
  if (source.quote != null && stated?.value != null && isPlainDecimal(stated.value) && !quoteStates(source.quote, stated.value)) {
    problems.add([...field, 'quote'], `The quote does not state ${stated.field} (${stated.value}).`);
  }
  return { ...source, title: source.title.trim(), url };
}

export async function recordSource(trx: Kysely<Database>, source: SourceInput | null, apiKeyId: string | null): Promise<string | null> {
  if (!source) return null;
  return insertSource(trx, {
    title: source.title,
    url: source.url ?? null,
    publisher: source.publisher ?? null,
    published_on: source.publishedOn ?? null,
    quote: source.quote ?? null,
    as_of: source.asOf ?? null,
    created_by_api_key_id: apiKeyId,
  });
}
