#!/usr/bin/env node
// Entry point: runs the compiled CLI in build/ (npm run build makes it; npm start and npm test
// build first when a source changed).
import fs from 'node:fs';

const main = new URL('../build/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  process.stderr.write('quiver: build/ is missing; run `npm run build` (or `npm start`) in the checkout first\n');
  process.exit(1);
}
const cli = await import(main.href);
process.exitCode = await cli.main(process.argv.slice(2));
