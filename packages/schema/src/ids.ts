/** A row's database id as clients send it: digits that a bigint holds (at most 18 of them). */
export function isRowId(value: string): boolean {
  return /^\d{1,18}$/.test(value);
}
