// Builds the playground page (web/) into web/dist/: index.html, style.css, app.js and worker.js,
// static files for any web server. The worker bundles the library's convert() from src/ and
// transforms/, the same code the CLI runs; Node's built-ins cannot resolve in a browser build, so
// a node: import reaching the core fails this build instead of being shimmed.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { common } from './build-options.mjs';

// Another folder may be named (the browser tests and the bench each build into their own, so
// that one build never empties the folder another is serving).
const OUT = process.argv[2] ?? 'web/dist';
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const browser = {
  ...common,
  platform: 'browser',
  target: ['chrome111', 'firefox113', 'safari16.4'],
  format: 'iife',
  outdir: OUT,
  // The sample the text area starts with: the project's own example, read now, never copied into the source.
  define: { SAMPLE_COMPOSE: JSON.stringify(readFileSync('examples/sonarr/compose.yml', 'utf8')) },
};
await build({ ...browser, entryPoints: { app: 'web/src/app.ts', worker: 'web/src/worker.ts' } });
for (const file of ['index.html', 'style.css']) copyFileSync(`web/${file}`, `${OUT}/${file}`);
