// esbuild options shared by the build and by the bench's variant builds (one definition of how
// the command is bundled, so the bench measures the same bundle shape the product ships).

// RO_NO_MINIFY=1 keeps names (for readable CPU profiles); whitespace and comments always go,
// since comments can hold non-ASCII text and dist/cli.js reads the bundle as latin1.
const minify = process.env.RO_NO_MINIFY !== '1';

/** Options of every bundle. */
export const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning', legalComments: 'none', minifyWhitespace: true, minifyIdentifiers: minify, minifySyntax: minify, outdir: 'dist' };

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

/** Options of the command's classic scripts (CommonJS): the CLI bundle and the worker. */
export const script = {
  ...common,
  plugins: [lazyChildProcess],
  format: 'cjs',
  // Lazy imports become lazy require() calls: a script run through node:vm has no import().
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "var __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};
