// Regenerates src/generated from proto/ (npm run gen). `--out DIR` writes elsewhere, which the
// staleness test uses to compare against the checked-in copy.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { GENERATOR_FLAGS, FLIGHT_PROTO, FLIGHT_SQL_PROTO, PROTO_DIR } from '../src/wire/proto-options.ts';

export function generate(outDir: string): void {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('@grpc/proto-loader/package.json')), 'build/bin/proto-loader-gen-types.js');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  // Relative paths keep the generated 'Original file' headers free of this checkout's location.
  const root = path.dirname(PROTO_DIR);
  execFileSync(process.execPath, [bin, ...GENERATOR_FLAGS, '-I', 'proto', '-O', outDir, ...[FLIGHT_PROTO, FLIGHT_SQL_PROTO].map((p) => path.relative(PROTO_DIR, p))], { cwd: root, stdio: 'inherit' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? path.resolve(process.argv[i + 1]!) : path.resolve(PROTO_DIR, '../src/generated');
  generate(out);
  console.error(`generated ${out}`);
}
