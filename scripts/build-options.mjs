// esbuild options shared by the build and by the bench's variant builds (one definition of how
// the command is bundled, so the bench measures the same bundle shape the product ships).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// RO_NO_MINIFY=1 keeps names (for readable CPU profiles); whitespace and comments always go,
// since comments can hold non-ASCII text and dist/cli.js reads the bundle as latin1.
const minify = process.env.RO_NO_MINIFY !== '1';

// yaml's ES module build (its package's `default` export, the one bundlers for browsers get):
// the same code as its CommonJS build for Node, without the Node-only lines. Two of those read
// process.env (LOG_TOKENS, LOG_STREAM) once per token of every parse, each a call into Node's
// environment: in the CommonJS build a quarter of a parse. The rest of the difference: warnings
// go to console.warn instead of process.emitWarning, and a YAML 1.1 `!!binary` value becomes a
// Uint8Array (through atob) instead of a Buffer; ro-convert reads neither.
export const yamlEsm = join(dirname(createRequire(import.meta.url).resolve('yaml/package.json')), 'browser/index.js');

/** Options of every bundle. */
export const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning', legalComments: 'none', minifyWhitespace: true, minifyIdentifiers: minify, minifySyntax: minify, outdir: 'dist', alias: { yaml: yamlEsm } };

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

// commander is CommonJS: esbuild gives each module importing it its own copy of the package's
// namespace, one getter per export, and every call then goes through a getter; commander's own
// ES module wrapper is one more such copy. One module binds the exports once instead (names
// read from the package here), and the importers refer to those bindings. (yaml had the same
// cost, ~800 getters for its ~20 importers, until the bundle took its ES module build.)
const commonJsBindings = {
  name: 'commonjs-bindings',
  setup(build) {
    const packages = ['commander'];
    build.onResolve({ filter: new RegExp(`^(${packages.join('|')})$`) }, (args) =>
      args.namespace === 'file' && !/[\\/]node_modules[\\/]/.test(args.importer) ? { path: args.path, namespace: 'commonjs-bindings' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'commonjs-bindings' }, (args) => ({
      contents: `export const { ${Object.keys(createRequire(import.meta.url)(args.path)).join(', ')} } = require('${args.path}');`,
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};

/** Options of the command's classic scripts (CommonJS): the CLI bundle and the worker. */
export const script = {
  ...common,
  plugins: [lazyChildProcess, commonJsBindings],
  format: 'cjs',
  // Lazy imports become lazy require() calls: a script run through node:vm has no import().
  supported: { 'dynamic-import': false },
  // import.meta.url is computed when first read: a one-file run never needs it.
  define: { 'import.meta.url': '__importMeta.url' },
  banner: { js: "var __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
};
