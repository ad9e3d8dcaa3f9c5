import { basename } from 'node:path';
import {
  DEBT_NUMBERS,
  PRODUCTION_NUMBERS,
  TRANSACTION_NUMBERS,
  type Citation,
  type CompanyFile,
  type LoadedFile,
  type LoadedPriceFile,
} from './fact-file.js';
import { quoteStates } from './quote-states.js';

export { quoteStates };

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

/** Every problem of every price file: its symbol matches its name, each quote states its price, no day twice. */
export function checkPriceFiles(files: LoadedPriceFile[]): string[] {
  const problems: string[] = [];
  for (const loaded of files) {
    const name = basename(loaded.path);
    problems.push(...loaded.problems.map((problem) => `${name}: ${problem}`));
    if (!loaded.file) continue;
    const file = loaded.file;
    const found: Problem[] = [];
    if (name !== `${file.symbol}.yaml`) found.push({ where: 'symbol', what: `${file.symbol} belongs in ${file.symbol}.yaml` });
    const used = new Set<string>();
    const once = duplicates(found);
    file.prices.forEach((price, i) => {
      const where = `prices[${i}]`;
      used.add(price.citation.source);
      if (!file.sources[price.citation.source]) found.push({ where, what: `the source "${price.citation.source}" is not in sources` });
      if (!quoteStates(price.citation.quote, price.usd))
        found.push({ where, what: `the quote does not state ${price.usd}: "${price.citation.quote}"` });
      once(where, `${price.on} ${price.kind}`, `a ${price.kind} price for ${price.on}`);
    });
    for (const key of Object.keys(file.sources)) {
      if (!used.has(key)) found.push({ where: `sources.${key}`, what: 'is cited by no price' });
    }
    problems.push(...found.map((problem) => `${name}: ${problem.where}: ${problem.what}`));
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
  if (file.reportedSiteCount) cite('reportedSiteCount', file.reportedSiteCount.citation, file.reportedSiteCount.count);
  if (file.reportedRegions) {
    cite('reportedRegions', file.reportedRegions.citation);
    for (const region of file.reportedRegions.regions) {
      if (!mentions(file.reportedRegions.citation.quote, region)) {
        problems.push({ where: 'reportedRegions', what: `the quote does not name ${region}` });
      }
    }
  }
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
    once(where, `debt|${debt.kind}|${debt.asOf}|${debt.description}`, `a ${debt.kind} as of ${debt.asOf} described "${debt.description}"`);
    for (const field of DEBT_NUMBERS) {
      const value = debt[field];
      if (value !== null && !debt.citations[field]) problems.push({ where: `${where}.${field}`, what: 'has no citation' });
    }
    for (const [field, citation] of Object.entries(debt.citations)) {
      cite(
        `${where}.${field}`,
        citation,
        (DEBT_NUMBERS as readonly string[]).includes(field) ? debt[field as (typeof DEBT_NUMBERS)[number]] : undefined,
      );
    }
  });
  const transactionKeys = new Set(file.transactions.map((transaction) => transaction.key));
  file.debt.forEach((debt, i) => {
    debt.repayments.forEach((repayment, j) => {
      const where = `debt[${i}].repayments[${j}]`;
      cite(where, repayment.citation, repayment.usd);
      if (repayment.fundedBy !== null && !transactionKeys.has(repayment.fundedBy)) {
        problems.push({ where: `${where}.fundedBy`, what: `names no transaction "${repayment.fundedBy}"` });
      }
    });
  });
  file.transactions.forEach((transaction, i) => {
    const where = `transactions[${i}]`;
    once(where, `transaction ${transaction.key}`, `the transaction key ${transaction.key}`);
    for (const field of TRANSACTION_NUMBERS) {
      const value = transaction[field];
      const citation = transaction.citations[field];
      if (value !== null && !citation) problems.push({ where: `${where}.${field}`, what: 'has no citation' });
      if (citation) cite(`${where}.${field}`, citation, value ?? undefined);
      if (citation && value === null) problems.push({ where: `${where}.${field}`, what: 'is cited but null' });
    }
  });
  file.corporateActions.forEach((action, i) => void cite(`corporateActions[${i}]`, action.citation, action.ratio));
  file.officers.forEach((officer, i) => {
    cite(`officers[${i}]`, officer.citation);
    if (officer.previousEmployer && !mentions(officer.citation.quote, officer.previousEmployer)) {
      problems.push({ where: `officers[${i}].previousEmployer`, what: `the quote does not name ${officer.previousEmployer}` });
    }
    once(`officers[${i}]`, `${officer.name}|${officer.role}`, `${officer.name} as ${officer.role}`);
  });
  file.sites.forEach((site, i) => void cite(`sites[${i}]`, site.citation, site.powerMw));
  for (const key of Object.keys(file.sources)) {
    if (!used.has(key)) problems.push({ where: `sources.${key}`, what: 'is cited by no fact' });
  }
  return problems;
}

/** Whether the quote names `text`, ignoring case. */
function mentions(quote: string, text: string): boolean {
  return quote.toLowerCase().includes(text.toLowerCase());
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
