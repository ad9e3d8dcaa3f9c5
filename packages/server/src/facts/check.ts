import { basename } from 'node:path';
import { Decimal } from '@minergraph/schema';
import { DEBT_NUMBERS, PRODUCTION_NUMBERS, type Citation, type CompanyFile, type LoadedFile } from './fact-file.js';

/** A number as a page prints it: digits with or without thousands separators, then maybe a scale word. */
const PRINTED_NUMBER = /(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?(million|billion|thousand|mn|bn|[MBK])\b)?/g;
const SCALE: Record<string, number> = { million: 1e6, mn: 1e6, M: 1e6, billion: 1e9, bn: 1e9, B: 1e9, thousand: 1e3, K: 1e3 };

/** Whether `quote` prints `value` in one of the usual ways: 7,474.6, 7474.6, 7474.60, $305 million, $1.1B. */
export function quoteStates(quote: string, value: string): boolean {
  const wanted = new Decimal(value);
  for (const match of quote.matchAll(PRINTED_NUMBER)) {
    const printed = new Decimal(`${match[1]!.replaceAll(',', '')}${match[2] ?? ''}`);
    if (printed.eq(wanted)) return true;
    const scale = match[3] ? SCALE[match[3]] : undefined;
    if (scale && printed.mul(scale).eq(wanted)) return true;
  }
  return false;
}

/** Every problem of every file, as `file: where: what` lines; none means the data may be loaded. */
export function checkFactFiles(files: LoadedFile[]): string[] {
  const problems: string[] = [];
  const tickers = new Map<string, string>();
  for (const loaded of files) {
    const name = basename(loaded.path);
    problems.push(...loaded.problems.map((problem) => `${name}: ${problem}`));
    if (!loaded.file) continue;
    const file = loaded.file;
    const say = (where: string, what: string) => problems.push(`${name}: ${where}: ${what}`);
    if (name !== `${file.ticker}.yaml`) say('ticker', `${file.ticker} belongs in ${file.ticker}.yaml`);
    const earlier = tickers.get(file.ticker);
    if (earlier) say('ticker', `${file.ticker} is in ${earlier} already`);
    tickers.set(file.ticker, name);
    for (const problem of checkCompany(file)) say(problem.where, problem.what);
  }
  return problems;
}

interface Problem {
  where: string;
  what: string;
}

function checkCompany(file: CompanyFile): Problem[] {
  const problems: Problem[] = [];
  const used = new Set<string>();
  const cite = (where: string, citation: Citation, value?: string | null) => {
    used.add(citation.source);
    if (!file.sources[citation.source]) problems.push({ where, what: `the source "${citation.source}" is not in sources` });
    if (value != null && !quoteStates(citation.quote, value)) {
      problems.push({ where, what: `the quote does not state ${value}: "${citation.quote}"` });
    }
  };
  const once = duplicates(problems);

  cite('citation', file.citation);
  file.holdings.forEach((holding, i) => {
    cite(`holdings[${i}]`, holding.citation, holding.btc);
    once(`holdings[${i}]`, `${holding.on} ${holding.basis ?? ''}`, `a holdings figure for ${holding.on} with the same basis`);
  });
  file.production.forEach((report, i) => {
    const where = `production[${i}]`;
    if (report.periodEnd < report.periodStart) problems.push({ where, what: 'periodEnd is before periodStart' });
    once(where, `${report.periodStart}/${report.periodEnd}`, `a report for ${report.periodStart} to ${report.periodEnd}`);
    for (const field of PRODUCTION_NUMBERS) {
      const value = report[field];
      const citation = report.citations[field];
      if (value !== null && !citation) problems.push({ where: `${where}.${field}`, what: 'has no citation' });
      if (citation) cite(`${where}.${field}`, citation, value ?? undefined);
      if (citation && value === null) problems.push({ where: `${where}.${field}`, what: 'is cited but null' });
    }
  });
  file.debt.forEach((debt, i) => {
    const where = `debt[${i}]`;
    for (const field of DEBT_NUMBERS) {
      const value = debt[field];
      if (value !== null && !debt.citations[field]) problems.push({ where: `${where}.${field}`, what: 'has no citation' });
    }
    for (const [field, citation] of Object.entries(debt.citations)) {
      cite(`${where}.${field}`, citation, (DEBT_NUMBERS as readonly string[]).includes(field) ? debt[field as (typeof DEBT_NUMBERS)[number]] : undefined);
    }
  });
  file.officers.forEach((officer, i) => {
    cite(`officers[${i}]`, officer.citation);
    once(`officers[${i}]`, `${officer.name}|${officer.role}`, `${officer.name} as ${officer.role}`);
  });
  file.sites.forEach((site, i) => void cite(`sites[${i}]`, site.citation, site.powerMw));
  for (const key of Object.keys(file.sources)) {
    if (!used.has(key)) problems.push({ where: `sources.${key}`, what: 'is cited by no fact' });
  }
  return problems;
}

/** Reports the second and later entries with the same key. */
function duplicates(problems: Problem[]) {
  const seen = new Map<string, string>();
  return (where: string, key: string, what: string) => {
    const first = seen.get(key);
    if (first) problems.push({ where, what: `${what} is at ${first} already` });
    else seen.set(key, where);
  };
}
