// Bundles the CLI, the worker and the library into single files (fast start-up: one module
// to load instead of hundreds) plus the CLI's code cache, then emits type declarations for the
// library API.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
// The command and the worker are classic scripts (CommonJS): Node loads them without the ES
// module loader, and V8 can run the CLI from a code cache. The library stays an ES module (.mjs).
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning', legalComments: 'none', minify: process.env.RO_NO_MINIFY !== '1', outdir: 'dist' };
// commander requires node:child_process (and with it net, stream…) when it loads, for
// executable subcommands, which ro-convert has none of: that load was an eighth of a one-file
// run's start-up. Its require becomes a getter that loads the module on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};
// yaml and commander are CommonJS: esbuild gives each module importing one its own copy of the
// package's namespace, one getter per export (for yaml's ~20 importers, ~200 kB and ~800
// property definitions at start-up), and every call then goes through a getter; commander's own
// ES module wrapper is one more such copy. One module per package binds the exports once
// instead (names read from the package here), and the importers refer to those bindings.
const commonJsBindings = {
  name: 'commonjs-bindings',
  setup(build) {
    const packages = ['yaml', 'commander'];
    build.onResolve({ filter: new RegExp(`^(${packages.join('|')})$`) }, (args) =>
      args.namespace === 'file' && !/[\\/]node_modules[\\/]/.test(args.importer) ? { path: args.path, namespace: 'commonjs-bindings' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'commonjs-bindings' }, (args) => ({
      contents: `export const { ${Object.keys(createRequire(import.meta.url)(args.path)).join(', ')} } = require('${args.path}');`,
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};
const script = {
  ...common,
  plugins: [lazyChildProcess, commonJsBindings],
  format: 'cjs',
  // Lazy imports become lazy require() calls: a script run through node:vm has no import().
  supported: { 'dynamic-import': false },
  // import.meta.url is computed when first read: a one-file run never needs it.
  define: { 'import.meta.url': '__importMeta.url' },
  banner: { js: "var __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
};
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
