// Bundles the CLI, the worker and the library into single files (fast start-up: one module
// to load instead of hundreds), then emits type declarations for the library API.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
// commander is CommonJS: give the ESM bundle a real `require` for its node: built-ins.
const banner = "import { createRequire as __roCreateRequire } from 'node:module'; const require = __roCreateRequire(import.meta.url);";
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: false, logLevel: 'warning', legalComments: 'none', minify: process.env.RO_NO_MINIFY !== '1' };
await build({ ...common, entryPoints: { cli: 'src/cli.ts', worker: 'src/worker.ts' }, outdir: 'dist', banner: { js: `#!/usr/bin/env node\n${banner}` }, splitting: false });
await build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist', banner: { js: banner } });
// The bin must be executable: npm links it before `prepare` rebuilds it on a fresh install.
chmodSync('dist/cli.js', 0o755);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
