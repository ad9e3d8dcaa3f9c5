import { builder } from '../builder.js';
import type { FieldCitationModel, SourceKind, SourceModel } from '../models.js';
import { SOURCE_URL_RULE, TEXT_RULE } from '../text-rules.js';

export const Source = builder.loadableObjectRef<SourceModel, string>('Source', {
  load: (ids, context) => context.data.sources.byIds(ids) as Promise<SourceModel[]>,
});

export const SourceKindEnum = builder.enumType('SourceKind', {
  description: 'What kind of page a source is, most authoritative first.',
  values: {
    FILING: { description: "A regulatory filing or the company's own investor-relations document." },
    COMPANY_RELEASE: { description: "The company's press release on its own site." },
    WIRE_REPRINT: { description: "A newswire's or another site's verbatim reprint of the company's release." },
    TRADE_PRESS: { description: 'A named trade publication reporting the figure.' },
    NEWS: { description: 'A news page reporting the figure; its publisher says when it is the only source.' },
    AGGREGATOR: { description: 'A page summarising filings or releases (possibly machine-written).' },
  } as const satisfies Record<SourceKind, unknown>,
});

Source.implement({
  description:
    'Where a fact was published, with the verbatim sentence stating it: each fact has its own, so `quote` is always the sentence for the fact this source is attached to.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'The title of the article, filing or release.' }),
    url: t.exposeString('url', { nullable: true, description: 'Where to read it (http or https); null when it has no address.' }),
    publisher: t.exposeString('publisher', {
      nullable: true,
      description: 'Who published it, e.g. "TheMinerMag"; null when not recorded.',
    }),
    publishedOn: t.expose('publishedOn', {
      type: 'Date',
      nullable: true,
      description: 'The day it was published; null when not recorded.',
    }),
    quote: t.exposeString('quote', {
      nullable: true,
      description: 'The verbatim sentence of the page stating the fact this source is attached to; null when none was recorded.',
    }),
    asOf: t.expose('asOf', { type: 'Date', nullable: true, description: 'The day the quoted sentence gives its figure for.' }),
    kind: t.field({
      type: SourceKindEnum,
      nullable: true,
      description: 'What kind of page it is; null for sources recorded through the API.',
      resolve: (source) => source.kind,
    }),
  }),
});

export const FieldCitation = builder.objectRef<FieldCitationModel>('FieldCitation').implement({
  description: 'The page and sentence one number of a fact was quoted from.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The field the number is in, e.g. minedBtc or principalUsd.' }),
    source: t.field({
      type: Source,
      description: 'The page, with the sentence stating this number.',
      resolve: (citation) => citation.sourceId,
    }),
  }),
});

export const SourceInput = builder.inputType('SourceInput', {
  description: 'Where the recorded fact was published. Every write of a fact requires one.',
  fields: (t) => ({
    title: t.string({
      required: true,
      description: `The title of the article, filing or release. Not blank, at most 500 characters; stored trimmed. ${TEXT_RULE}`,
    }),
    url: t.string({ description: `Where to read it. ${SOURCE_URL_RULE}` }),
    publisher: t.string({ description: `Who published it. At most 200 characters. ${TEXT_RULE}` }),
    publishedOn: t.field({ type: 'Date', description: 'The day it was published.' }),
    quote: t.string({
      description: `The verbatim sentence of the page stating the fact; when given, it must print each number the write records (as 7,474.6, 7474.6 or $305 million, for example). At most 2000 characters. ${TEXT_RULE}`,
    }),
    asOf: t.field({ type: 'Date', description: 'The day the quoted sentence gives its figure for.' }),
  }),
});

/** Options of the `source` field every sourced type has: `source: t.field(sourceField)`. */
export const sourceField = {
  type: Source,
  nullable: true,
  description: 'Where this fact was published.',
  resolve: (parent: { sourceId: string | null }) => parent.sourceId,
} as const;
