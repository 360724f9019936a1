// Bundles the CLI, the worker and the library into single files (fast start-up: one module
// to load instead of hundreds) plus the CLI's code cache, then emits type declarations for the
// library API.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { common, script } from './build-options.mjs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
// The command and the worker are classic scripts (CommonJS): Node loads them without the ES
// module loader, and V8 can run the CLI from a code cache. The library stays an ES module (.mjs).
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
// dist/cli.js runs dist/cli-app.js from V8's code cache (dist/cli-app.cache, written below).
await build({ ...script, entryPoints: { cli: 'src/cli/bin.ts' }, banner: { js: '#!/usr/bin/env node' } });
await build({ ...script, entryPoints: { worker: 'src/io/worker.ts' } });
// The CLI bundle is written as the function that Node's CommonJS loader would wrap it in, so that
// dist/cli.js compiles the file's text as it is: wrapping it at run time copied ~350 kB into a
// second string, and both counted towards the first garbage collection.
await build({
  ...script,
  entryPoints: { 'cli-app': 'src/cli/cli.ts' },
  banner: { js: `(function (exports, require, module, __filename, __dirname) {${script.banner.js}` },
  footer: { js: '})' },
});
// dist/cli.js reads the bundle as latin1 (no UTF-8 decoding of ~350 kB at every start): that
// needs every byte to be ASCII. esbuild escapes strings, not regular expression literals.
const nonAscii = /[^\x00-\x7f]/.exec(readFileSync('dist/cli-app.js', 'latin1'));
if (nonAscii) throw new Error(`dist/cli-app.js has a non-ASCII character at offset ${nonAscii.index}: write it as an escape in the source`);
// commander is CommonJS: give the ES module bundle a real `require` for its node: built-ins.
await build({
  ...common,
  format: 'esm',
  entryPoints: { index: 'src/index.ts' },
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire as __roCreateRequire } from 'node:module'; const require = __roCreateRequire(import.meta.url);" },
});
// The bin must be executable: npm links it before `prepare` rebuilds it on a fresh install.
chmodSync('dist/cli.js', 0o755);
// The code cache holds what one ordinary conversion compiles (a preview of the sonarr example).
execFileSync(process.execPath, ['dist/cli.js', '--service', 'sonarr', '--dry-run', 'examples/sonarr/compose.yml'], {
  stdio: 'ignore',
  env: { ...process.env, RO_CONVERT_WRITE_CODE_CACHE: '1', NO_COLOR: '1' },
});
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
