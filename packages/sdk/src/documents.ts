import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { printDocument } from './print-document.js';

/**
 * A parsed GraphQL document, as graphql-js, graphql.web (gql.tada) and codegen's client preset
 * build it. Its `kind` is a string rather than `'Document'` so that graphql-js's `Kind` enum fits.
 */
export interface DocumentAst {
  readonly kind: string;
  readonly definitions: ReadonlyArray<{ readonly kind: string }>;
}

/**
 * A GraphQL document typed with its result and variables: a generated `...Document`, any
 * TypedDocumentString, or a TypedDocumentNode (codegen's client preset, gql.tada, graphql-tag's
 * `gql`, graphql's `parse`). The client prints an AST itself, with or without `loc`, so that no
 * `graphql` runtime ships with it. Anything else is refused by the types.
 */
// biome-ignore lint/complexity/noBannedTypes: codegen's TypedDocumentString extends String, the object; `string` would refuse it
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & (String | DocumentAst);

/** The result type of a typed document: `ResultOf<typeof CompanyDocument>`. */
// biome-ignore lint/suspicious/noExplicitAny: matches whatever variables the document declares
export type ResultOf<TDocument> = TDocument extends DocumentTypeDecoration<infer TResult, any> ? TResult : never;

/** The variables type of a typed document: `VariablesOf<typeof CompanyDocument>`. */
// biome-ignore lint/suspicious/noExplicitAny: matches whatever result the document declares
export type VariablesOf<TDocument> = TDocument extends DocumentTypeDecoration<any, infer TVariables> ? TVariables : never;

/**
 * The text to send, or undefined when the document is neither text nor a parsed document. An
 * AST is printed even when it kept its source text: the definitions are what counts (gql.tada
 * adds fragments that its `loc` may not hold).
 */
export function documentText(document: unknown): string | undefined {
  if (typeof document === 'string') return document;
  if (document instanceof String) return String(document);
  const ast = document as Partial<DocumentAst> | null;
  if (ast?.kind !== 'Document' || !Array.isArray(ast.definitions)) return undefined;
  try {
    return printDocument(ast as DocumentAst);
  } catch {
    // A schema definition, or a node this printer does not know: nothing a server would run.
    return undefined;
  }
}

const OPERATION_NAME = /(?:^|[\s}])(?:query|mutation|subscription)[ \t]+([_A-Za-z][_0-9A-Za-z]*)/;

/** The first operation's name, for error messages; undefined for anonymous operations. */
export function operationNameOf(text: string): string | undefined {
  return OPERATION_NAME.exec(text.replace(/#[^\n]*/g, ''))?.[1];
}
