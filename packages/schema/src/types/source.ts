import { builder } from '../builder.js';
import type { SourceModel } from '../models.js';
import { SOURCE_URL_RULE, TEXT_RULE } from '../text-rules.js';

export const Source = builder.loadableObjectRef<SourceModel, string>('Source', {
  load: (ids, context) => context.data.sources.byIds(ids) as Promise<SourceModel[]>,
});

Source.implement({
  description: 'Where a fact was published. Every seeded or recorded fact can carry one.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'The title of the article, filing or release.' }),
    url: t.exposeString('url', { nullable: true, description: 'Where to read it (http or https); null when it has no address.' }),
    publisher: t.exposeString('publisher', { nullable: true, description: 'Who published it, e.g. "TheMinerMag"; null when not recorded.' }),
    publishedOn: t.expose('publishedOn', { type: 'Date', nullable: true, description: 'The day it was published; null when not recorded.' }),
  }),
});

export const SourceInput = builder.inputType('SourceInput', {
  description: 'Where the recorded fact was published.',
  fields: (t) => ({
    title: t.string({
      required: true,
      description: `The title of the article, filing or release. Not blank, at most 500 characters; stored trimmed. ${TEXT_RULE}`,
    }),
    url: t.string({ description: `Where to read it. ${SOURCE_URL_RULE}` }),
    publisher: t.string({ description: `Who published it. At most 200 characters. ${TEXT_RULE}` }),
    publishedOn: t.field({ type: 'Date', description: 'The day it was published.' }),
  }),
});

/** Options of the `source` field every sourced type has: `source: t.field(sourceField)`. */
export const sourceField = {
  type: Source,
  nullable: true,
  description: 'Where this fact was published.',
  resolve: (parent: { sourceId: string | null }) => parent.sourceId,
} as const;
