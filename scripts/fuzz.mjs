#!/usr/bin/env node
// Long property run: the generators and invariants of test/properties.test.ts (test/gen/*.ts,
// bundled here with esbuild) against the built library (dist/index.mjs), with a random seed.
//
//   npm run fuzz                          100,000 cases, random seed
//   npm run fuzz -- --runs 5000           fewer cases
//   npm run fuzz -- --seed=N [--path=P]   replay a failure (the seed and path are printed)
//
// On a failure it prints the seed, the shrunk counterexample (the compose text and the
// selection), the broken invariants, and, when the conversion itself refused, a line-minimised
// input; it exits 1. `npm run fuzz` builds dist/ first.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { seed: { type: 'string' }, runs: { type: 'string', default: '100000' }, path: { type: 'string' }, quiet: { type: 'boolean', default: false } },
});

// Bundle the TypeScript generators next to node_modules so their bare imports resolve.
const outDir = join(root, 'node_modules', '.cache', 'ro-convert-fuzz');
mkdirSync(outDir, { recursive: true });
const genFile = join(outDir, 'gen.mjs');
await build({
  stdin: { contents: "export * from './test/gen/compose.ts'; export * from './test/gen/check.ts';", resolveDir: root, loader: 'ts', sourcefile: 'fuzz-entry.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: genFile,
  logLevel: 'warning',
});
const gen = await import(pathToFileURL(genFile).href);
const { convert } = await import(pathToFileURL(join(root, 'dist', 'index.mjs')).href);
const fc = (await import('fast-check')).default;

const seed = args.seed !== undefined ? Number(args.seed) : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
const numRuns = Number(args.runs);
if (!Number.isInteger(seed) || !Number.isInteger(numRuns) || numRuns <= 0) {
  console.error('fuzz: --seed and --runs take integers');
  process.exit(2);
}

console.log(`fuzz: ${numRuns} cases, seed ${seed}${args.path ? `, path ${args.path}` : ''}`);
const started = Date.now();
let done = 0;
const property = fc.property(gen.composeCase, ({ doc, selection }) => {
  done++;
  if (!args.quiet && done % 10000 === 0) console.log(`fuzz: ${done} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const problems = gen.checkCase(convert, doc, selection);
  if (problems.length) throw new Error(problems.join('\n'));
});
const details = fc.check(property, { seed, numRuns, ...(args.path ? { path: args.path } : {}) });
const seconds = ((Date.now() - started) / 1000).toFixed(1);

if (!details.failed) {
  console.log(`fuzz: OK — ${details.numRuns} cases passed in ${seconds} s (seed ${seed})`);
  process.exit(0);
}
const [{ doc, selection }] = details.counterexample ?? [{}];
console.log(`\nfuzz: FAILED after ${details.numRuns} cases, ${details.numShrinks} shrinks, in ${seconds} s`);
console.log(`seed: ${seed}\npath: ${details.counterexamplePath}`);
// `=`: a negative seed would read as an option.
console.log(`replay: npm run fuzz -- --seed=${seed} --path=${details.counterexamplePath}`);
console.log(`selection: ${JSON.stringify(selection)}`);
console.log(`input (JSON string): ${JSON.stringify(doc?.text)}`);
console.log(`input:\n${doc?.text}\n--- end of input`);
console.log(`broken invariants:\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.error)}`);
const minimal = minimise(doc?.text ?? '', selection);
if (minimal !== null) console.log(`\nline-minimised input that convert refuses as a bug (JSON): ${JSON.stringify(minimal)}\n${minimal}\n--- end`);
process.exit(1);

/** Deletes lines (and trailing comments) while `convert` still reports an internal error. */
function minimise(text, selection) {
  const refuses = (t) => {
    try {
      convert(t, selection);
      return false;
    } catch (error) {
      return error?.code === 'internal';
    }
  };
  if (!refuses(text)) return null;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let lines = text.split(eol);
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < lines.length; i++) {
      const t = [...lines.slice(0, i), ...lines.slice(i + 1)];
      if (refuses(t.join(eol))) {
        lines = t;
        changed = true;
        i--;
      }
    }
    for (let i = 0; i < lines.length; i++) {
      const stripped = lines[i].replace(/ # .*$/, '');
      if (stripped === lines[i]) continue;
      const t = [...lines];
      t[i] = stripped;
      if (refuses(t.join(eol))) {
        lines = t;
        changed = true;
      }
    }
  }
  return lines.join(eol);
}
