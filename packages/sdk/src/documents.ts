import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/**
 * A GraphQL document typed with its result and variables: a generated `...Document`, any
 * TypedDocumentString, or a TypedDocumentNode that still carries its source text in
 * `loc.source.body` (graphql-tag's `gql` and graphql's `parse` keep it). The client sends text
 * and never prints an AST, so that no `graphql` runtime ships with it.
 */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> &
  (String | { readonly loc?: { readonly source: { readonly body: string } } | undefined });

/** The result type of a typed document: `ResultOf<typeof CompanyDocument>`. */
export type ResultOf<TDocument> = TDocument extends DocumentTypeDecoration<infer TResult, any> ? TResult : never;

/** The variables type of a typed document: `VariablesOf<typeof CompanyDocument>`. */
export type VariablesOf<TDocument> = TDocument extends DocumentTypeDecoration<any, infer TVariables> ? TVariables : never;

/** The text to send, or undefined when the document has none (an AST without `loc`). */
export function documentText(document: unknown): string | undefined {
  if (typeof document === 'string') return document;
  if (document instanceof String) return String(document);
  const body = (document as { loc?: { source?: { body?: unknown } } } | null)?.loc?.source?.body;
  return typeof body === 'string' ? body : undefined;
}

const OPERATION_NAME = /(?:^|[\s}])(?:query|mutation|subscription)[ \t]+([_A-Za-z][_0-9A-Za-z]*)/;

/** The first operation's name, for error messages; undefined for anonymous operations. */
export function operationNameOf(text: string): string | undefined {
  return OPERATION_NAME.exec(text.replace(/#[^\n]*/g, ''))?.[1];
}
