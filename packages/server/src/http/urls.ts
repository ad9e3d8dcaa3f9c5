// A request URL's two parts, without parsing the rest of it (req.url is a path and a query string).

/** A request URL's path, without its query string (what Express calls `req.path`). */
export function pathOf(url: string | undefined): string {
  const query = url?.indexOf('?') ?? -1;
  return query === -1 ? (url ?? '') : url!.slice(0, query);
}

/** A request URL's query string with its `?`, or '' when it has none. */
export function searchOf(url: string | undefined): string {
  const query = url?.indexOf('?') ?? -1;
  return query === -1 ? '' : url!.slice(query);
}
