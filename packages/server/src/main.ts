// Starts the server the way `pnpm minergraph serve` does, for runners that want a plain entry file.
process.argv.splice(2, process.argv.length - 2, 'serve');
await import('./cli.js');
