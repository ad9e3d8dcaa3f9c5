// The command-line options of pnpm bench and pnpm bench:load: `--seconds 10`, `--pglite`.

export function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number, e.g. --${name} ${fallback}`);
  return value;
}

export const flag = (name: string) => process.argv.includes(`--${name}`);

export function textOption(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}
