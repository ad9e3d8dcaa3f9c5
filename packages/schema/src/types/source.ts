import { builder } from '../builder.js';
import type { SourceModel } from '../models.js';
import { SOURCE_URL_RULE, TEXT_RULE } from '../text-rules.js';

export const Source = builder.loadableObjectRef<SourceModel, string>('Source', {
  load: (ids, context) => context.data.sources.byIds(ids) as Promise<SourceModel[]>,
});

Source.implement({
  description: 'Where a fact was published. Every seeded or recorded fact can carry one.',
  fields: (t) => ({
    title: t.exposeString('title'),
    url: t.exposeString('url', { nullable: true }),
    publisher: t.exposeString('publisher', { nullable: true }),
    publishedOn: t.expose('publishedOn', { type: 'Date', nullable: true }),
  }),
});

export const SourceInput = builder.inputType('SourceInput', {
  description: 'Where the recorded fact was published.',
  fields: (t) => ({
    title: t.string({ required: true, description: `Not blank, at most 500 characters; stored trimmed. ${TEXT_RULE}` }),
    url: t.string({ description: SOURCE_URL_RULE }),
    publisher: t.string({ description: `At most 200 characters. ${TEXT_RULE}` }),
    publishedOn: t.field({ type: 'Date' }),
  }),
});

/** Options of the `source` field every sourced type has: `source: t.field(sourceField)`. */
export const sourceField = {
  type: Source,
  nullable: true,
  description: 'Where this fact was published.',
  resolve: (parent: { sourceId: string | null }) => parent.sourceId,
} as const;
