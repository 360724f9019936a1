// Benchmark, not a test: measures the performance goals as ratios against a baseline timed in the
// same run (alternating runs, medians), so the figures hold on any machine. Informational: exits 0
// even when a goal fails, 1 only when a run itself crashed.
// Usage: npm run bench [-- --quick] [--no-build] [--dclint] [--only bulk|startup|scale|project|dclint]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { script, yamlEsm } from './build-options.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/cli.js');
const CORPUS = resolve(ROOT, '../shared/corpus/real');
const SONARR = join(ROOT, 'examples/sonarr/compose.yml');
const flags = new Set(process.argv.slice(2));
const QUICK = flags.has('--quick');
const N = QUICK ? { bulk: 1, start: 3, scale: 1, rss: 1 } : { bulk: 5, start: 11, scale: 5, rss: 3 };
const TIME = '/usr/bin/time';
const TMP = mkdtempSync(join(tmpdir(), 'ro-bench-'));

class Crash extends Error {}
const node = (...args) => [process.execPath, ...args];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;

/** Runs argv once; throws Crash on a signal or an exit status not in okExit. */
function run(argv, okExit = [0], env = process.env, cwd = ROOT) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  if (r.error || r.signal || !okExit.includes(r.status)) {
    const tail = String(r.stderr ?? '').trim().split('\n').slice(-8).join('\n');
    throw new Crash(`${argv.join(' ')}\n  -> ${r.error?.message ?? r.signal ?? `exit ${r.status}`}\n${tail}`);
  }
  return String(r.stderr);
}

/**
 * Times each command n times, alternating A B A B ... after one untimed warm-up each.
 * cmd: { argv, before?: () => void (untimed, e.g. a fresh copy), okExit?, env?, cwd? }. Returns the
 * medians of wall time in ms, with `.cpu`: the medians of CPU time (user + system, all threads;
 * from GNU time, null without it), which a machine busy with other work inflates far less, and
 * `.ratio(a, b)` / `.cpuRatio(a, b)`: the median of the ratios of runs timed side by side (round
 * by round), which cancels the drift of a shared machine's speed that a ratio of two medians
 * keeps (the same code path timed twice read 0.88-1.13x that way).
 */
function timeRuns(cmds, n) {
  const samples = cmds.map(() => []);
  const cpu = cmds.map(() => []);
  const timed = existsSync(TIME);
  for (let i = -1; i < n; i++) {
    cmds.forEach((c, k) => {
      c.before?.();
      const t0 = process.hrtime.bigint();
      const err = run(timed ? [TIME, '-f', '%U %S', ...c.argv] : c.argv, c.okExit, c.env, c.cwd);
      if (i < 0) return;
      samples[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (timed) cpu[k].push(err.trim().split('\n').at(-1).split(' ').reduce((a, b) => a + Number(b) * 1000, 0));
    });
  }
  const pairRatio = (xs) => (a, b) => median(xs[a].map((x, i) => x / xs[b][i]));
  return Object.assign(samples.map(median), { cpu: timed ? cpu.map(median) : null, ratio: pairRatio(samples), cpuRatio: timed ? pairRatio(cpu) : null });
}

/** "CPU a vs b (r×)" for two commands of a timeRuns result, or '' without CPU times. */
function cpuNote(times, a, b) {
  return times.cpu ? `; CPU ${times.cpuRatio(a, b).toFixed(2)}×: ${ms(times.cpu[a])} vs ${ms(times.cpu[b])}` : '';
}

/** `copies` copies of the real corpus, one folder per file: DIR/cK/<name>/compose.yml. */
function makeTree(dir, copies) {
  const files = readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f));
  for (let k = 0; k < copies; k++) {
    for (const f of files) {
      const sub = join(dir, `c${k}`, f.replace(/\.ya?ml$/, ''));
      mkdirSync(sub, { recursive: true });
      cpSync(join(CORPUS, f), join(sub, 'compose.yml'));
    }
  }
  return files.length * copies;
}

// Baseline: one plain single-threaded loop, read each file and parse it once with the project's yaml.
const BASELINE = `
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true })) {
  if (f.endsWith('compose.yml')) parseDocument(readFileSync(join(dir, f), 'utf8'));
}`;

// The same loop on yaml's ES module build, the one ro-convert bundles (scripts/build-options.mjs):
// it skips the Node build's per-token environment lookups, so it shows how much of the gap to
// the loop above is the build, not ro-convert's own work.
const BASELINE_ESM = BASELINE.replace("from 'yaml'", `from '${pathToFileURL(yamlEsm).href}'`);

// The same loop with the built API's convert() in place of the parse, planned as --check --quiet
// plans (no verification, no warnings): against the loop above, what planning adds to a parse;
// against --check, what the command adds around convert() (the search, jobs, reports).
const CONVERT_LOOP = `
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from '${pathToFileURL(join(ROOT, 'dist/index.mjs')).href}';
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true })) {
  if (!f.endsWith('compose.yml')) continue;
  try {
    convert(readFileSync(join(dir, f), 'utf8'), { all: true, verify: false, warnings: false });
  } catch {}
}`;

// The least a bulk --write can do: each file read, parsed once and written back atomically as
// ro-convert writes (temp file, mode, fsync, re-read, rename, directory fsync), nothing else; on
// one thread, with the fsyncs in flight while the next files parse, as ro-convert does when it
// chooses one thread. THREADS=2 splits the files over two worker threads instead (WRITE=0: parse
// only), to show what a second core gives here.
const FLOOR = `
const { Worker, isMainThread, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { dirname, join } = require('node:path');
const files = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('compose.yml')).map((f) => join(dir, f));
function convertAll(paths) {
  const { parseDocument } = require(process.env.YAML_PATH);
  const fsync = (fd) => new Promise((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())));
  const write = async (path, text) => {
    const temp = join(dirname(path), '.compose.yml.floor.tmp');
    const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    fs.writeFileSync(fd, text);
    fs.fchmodSync(fd, fs.lstatSync(path).mode & 0o7777);
    await fsync(fd);
    fs.closeSync(fd);
    if (fs.readFileSync(path, 'utf8') !== text) throw new Error('changed on disk');
    fs.renameSync(temp, path);
    const d = fs.openSync(dirname(path), 'r');
    await fsync(d);
    fs.closeSync(d);
  };
  const writes = [];
  for (const path of paths) {
    const text = fs.readFileSync(path, 'utf8');
    parseDocument(text);
    if (process.env.WRITE === '1') writes.push(write(path, text));
  }
  Promise.all(writes).catch((e) => { console.error(e); process.exit(1); });
}
if (!isMainThread) convertAll(workerData);
else if (process.env.THREADS !== '2') convertAll(files(process.argv[2]));
else {
  const all = files(process.argv[2]);
  const half = Math.ceil(all.length / 2);
  for (const part of [all.slice(0, half), all.slice(half)]) new Worker(__filename, { workerData: part });
}`;

// What verification costs a bulk --write: the command bundled twice as the build bundles it,
// once as shipped and once with src/verify/verify.ts replaced by a no-op (a bench-only variant;
// the product has no switch to skip verification of a write). Neither has a code cache or a
// worker script beside it, so both convert on the main thread and start the same way.
async function buildVerifyVariants() {
  const { build } = createRequire(join(ROOT, 'package.json'))('esbuild');
  const noVerify = {
    name: 'no-verify',
    setup(b) {
      b.onResolve({ filter: /[\\/]verify[\\/]verify\.js$/ }, () => ({ path: 'no-verify', namespace: 'bench' }));
      b.onLoad({ filter: /.*/, namespace: 'bench' }, () => ({ contents: 'export function verifyConversion() {}', loader: 'js' }));
    },
  };
  const out = {};
  for (const [name, plugins] of [['verified', []], ['unverified', [noVerify]]]) {
    const dir = join(TMP, name);
    await build({ ...script, absWorkingDir: ROOT, plugins: [...script.plugins, ...plugins], entryPoints: { 'cli-app': 'src/cli/cli.ts' }, outdir: dir });
    out[name] = join(dir, 'cli-app.js');
  }
  return out;
}

async function benchBulk() {
  const src = join(TMP, 'bulk-src');
  const work = join(TMP, 'bulk');
  const count = makeTree(src, 8);
  const fresh = () => { rmSync(work, { recursive: true, force: true }); cpSync(src, work, { recursive: true }); };
  const floor = join(TMP, 'floor.cjs');
  writeFileSync(floor, FLOOR);
  const variants = await buildVerifyVariants();
  const floorEnv = (write, threads) => ({ ...process.env, UV_THREADPOOL_SIZE: '16', YAML_PATH: createRequire(join(ROOT, 'package.json')).resolve('yaml'), WRITE: write ? '1' : '0', THREADS: String(threads) });
  const workers = (n) => ({ ...process.env, RO_CONVERT_WORKERS: String(n) });
  // Exit 1: files to convert (--check); 2: the corpus holds a few files that are not compose files (v1 format…).
  const check = (env) => ({ argv: node(CLI, '--all', '--check', '--quiet', src), okExit: [1, 2], env });
  const times = timeRuns([
    check(),
    { argv: node('--input-type=module', '-e', BASELINE, src) },
    { argv: node(CLI, '--all', '--write', '--quiet', work), before: fresh, okExit: [0, 2] },
    { argv: node(floor, work), before: fresh, env: floorEnv(true, 1) },
    check(workers(0)),
    check(workers(2)),
    { argv: node(floor, src), env: floorEnv(false, 2) },
    ...[variants.verified, variants.unverified].map((cli) => ({ argv: node(cli, '--all', '--write', '--quiet', work), before: fresh, okExit: [0, 2], env: workers(0) })),
    { argv: node('--input-type=module', '-e', BASELINE_ESM, src) },
    // Without --quiet: the warnings and the summary are made and printed, as a CI log shows them.
    { argv: node(CLI, '--all', '--check', src), okExit: [1, 2] },
    { argv: node('--input-type=module', '-e', CONVERT_LOOP, src) },
  ], N.bulk);
  const [roCheck, base, roWrite, floorWrite, oneThread, twoWorkers, parse2, verified, unverified, baseEsm, roCheckReport, convertLoop] = times;
  return [
    { goal: `bulk --check: ${count} files / parseDocument loop`, ratio: times.ratio(0, 1), max: 1.0, detail: `${ms(roCheck)} vs ${ms(base)}${cpuNote(times, 0, 1)}` },
    { goal: 'bulk --check with its report (no --quiet) / parseDocument loop', ratio: times.ratio(10, 1), detail: `${ms(roCheckReport)}: warnings made and printed${cpuNote(times, 10, 1)}` },
    { goal: 'bulk --write / parse + atomic-write floor', ratio: times.ratio(2, 3), max: 1.2, detail: `${ms(roWrite)} vs ${ms(floorWrite)}${cpuNote(times, 2, 3)}` },
    { goal: 'threads: bulk --check as chosen / one thread', ratio: times.ratio(0, 4), max: 1.05, detail: `${ms(roCheck)} vs ${ms(oneThread)}, ${availableParallelism()} cores (≤ 1.05: noise)${cpuNote(times, 0, 4)}` },
    { goal: 'threads: bulk --check on 2 workers / one thread', ratio: times.ratio(5, 4), detail: `${ms(twoWorkers)}: what workers would give here${cpuNote(times, 5, 4)}` },
    { goal: "bulk floor: parseDocument loop on yaml's ES module build / on its Node build", ratio: times.ratio(9, 1), detail: `${ms(baseEsm)}: the build ro-convert bundles${cpuNote(times, 9, 1)}` },
    { goal: 'bulk floor: parse-only on 2 threads / parseDocument loop', ratio: times.ratio(6, 1), detail: `${ms(parse2)}: what the second core gives a parse${cpuNote(times, 6, 1)}` },
    { goal: "bulk: convert() loop (as --check --quiet plans) / the loop on yaml's ES build", ratio: times.ratio(11, 9), detail: `${ms(convertLoop)}: what planning adds to a parse${cpuNote(times, 11, 9)}` },
    { goal: 'bulk: --check --quiet / the convert() loop', ratio: times.ratio(0, 11), detail: `what the command adds around convert(): the search, jobs, reports${cpuNote(times, 0, 11)}` },
    {
      goal: 'verification: its share of a bulk --write', ratio: 1 - times.ratio(8, 7), max: 0.15, share: true,
      detail: `${ms(verified)} verified vs ${ms(unverified)} not${times.cpu ? `; CPU share ${(1 - times.cpuRatio(8, 7)).toFixed(2)}` : ''}`,
    },
  ];
}

// What the design card's libraries cost a start-up on their own: yaml, js-yaml, commander and
// diff bundled like the CLI (one minified script), each used once on the sonarr example.
const LIBRARIES_ONLY = `
const yaml = require('yaml'); const jsYaml = require('js-yaml'); const { Command } = require('commander'); const diff = require('diff');
const text = require('node:fs').readFileSync(process.argv[2], 'utf8');
yaml.parseDocument(text); jsYaml.load(text); new Command().option('-q, --quiet').parse(['node', 'cli', '-q']);
process.stdout.write(diff.createPatch('compose.yml', text, text + '# x\\n'));`;

function benchStartup() {
  const libraries = join(TMP, 'libraries-only.js');
  const { buildSync } = createRequire(join(ROOT, 'package.json'))('esbuild');
  buildSync({ stdin: { contents: LIBRARIES_ONLY, resolveDir: ROOT }, bundle: true, platform: 'node', format: 'cjs', minify: true, outfile: libraries, logLevel: 'warning' });
  const times = timeRuns([
    { argv: node(CLI, '--service', 'sonarr', '--dry-run', SONARR) },
    { argv: node('-e', '0') },
    { argv: node(libraries, SONARR) },
  ], N.start);
  const [ro, base, floor] = times;
  return [
    { goal: 'start-up: --service sonarr --dry-run / node -e 0', ratio: times.ratio(0, 1), max: 1.3, detail: `${ms(ro)} vs ${ms(base)}${cpuNote(times, 0, 1)}` },
    { goal: 'start-up floor: the four libraries alone, one use each / node -e 0', ratio: times.ratio(2, 1), detail: `${ms(floor)}: yaml, js-yaml, commander, diff bundled, no code cache` },
  ];
}

const IMAGES = ['sonarr', 'radarr', 'prowlarr', 'lidarr', 'bazarr', 'qbittorrent', 'plex', 'jellyfin', 'nginx', 'mariadb'];

/** A compose file with `count` LinuxServer services, 2-space indent, some comments. */
function makeScaleFile(count) {
  const out = ['# generated by scripts/bench.mjs', 'services:'];
  for (let i = 0; i < count; i++) {
    const img = IMAGES[i % IMAGES.length];
    if (i % 10 === 0) out.push(`  # --- group ${i / 10} ---`);
    out.push(
      `  ${img}-${i}:`,
      `    image: lscr.io/linuxserver/${img}:latest`,
      `    container_name: ${img}-${i}`,
      '    environment:',
      '      - PUID=1000',
      '      - PGID=1000',
      '      - TZ=Etc/UTC',
      '    volumes:',
      `      - /srv/${img}-${i}/config:/config`,
      `      - /srv/data:/data${i % 3 === 0 ? ' #optional' : ''}`,
      '    ports:',
      `      - ${10000 + i}:${8000 + (i % 1000)}`,
      '    restart: unless-stopped',
      '',
    );
  }
  const file = join(TMP, `scale-${count}.yml`);
  writeFileSync(file, out.join('\n'));
  return file;
}

/** Peak RSS in KiB of argv, from GNU time's %M (last stderr line). */
function peakRss(argv) {
  const err = run([TIME, '-f', '%M', ...argv]);
  return Number(err.trim().split('\n').at(-1));
}

function benchScale() {
  const results = [];
  const src = { 500: makeScaleFile(500), 5000: makeScaleFile(5000) };
  const copy = (n) => { const f = join(TMP, `work-${n}`, 'compose.yml'); mkdirSync(dirname(f), { recursive: true }); cpSync(src[n], f); return f; };
  const work500 = copy(500);
  const work5000 = copy(5000);
  // Default mode: the preview, a diff of every service (exit 0: a preview is not a check).
  const times = timeRuns([
    { argv: node(CLI, '--all', '--no-color', src[500]) },
    { argv: node(CLI, '--all', '--no-color', src[5000]) },
    { argv: node(CLI, '--all', '--write', '--quiet', work500), before: () => copy(500) },
    { argv: node(CLI, '--all', '--write', '--quiet', work5000), before: () => copy(5000) },
  ], N.scale);
  const [p500, p5000, t500, t5000] = times;
  results.push({ goal: 'preview scale: 5,000 / 500 services, default mode', ratio: times.ratio(1, 0), max: 11, detail: `${ms(p5000)} vs ${ms(p500)}${cpuNote(times, 1, 0)}` });
  results.push({ goal: 'write scale: 5,000 / 500 services, --write', ratio: times.ratio(3, 2), max: 11, detail: `${ms(t5000)} vs ${ms(t500)}${cpuNote(times, 3, 2)}` });

  if (!existsSync(TIME)) {
    results.push({ goal: 'scale: peak memory', skip: `${TIME} missing (apt-get install -y time; add it to CI)` });
    return results;
  }
  const size = statSync(src[5000]).size;
  const rss = [], base = [], small = [];
  for (let i = 0; i < N.rss; i++) {
    copy(5000);
    rss.push(peakRss(node(CLI, '--all', '--write', '--quiet', work5000)));
    base.push(peakRss(node('-e', '0')));
    small.push(peakRss(node(CLI, '--service', 'sonarr', '--dry-run', SONARR)));
  }
  const extra = (median(rss) - median(base)) * 1024;
  const mib = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
  results.push({
    goal: 'scale: (peak RSS 5,000 run − node -e 0) / file size', ratio: extra / size, max: 10, lessThan: true,
    detail: `${mib(median(rss))} vs ${mib(median(base))}, file ${(size / 2 ** 20).toFixed(1)} MiB`,
  });
  // What any run costs before its file's size counts: code, code cache, heap set-up.
  results.push({
    goal: 'memory floor: (peak RSS sonarr preview − node -e 0) / 5,000 file size', ratio: ((median(small) - median(base)) * 1024) / size,
    detail: `${mib(median(small))} for a 1 kB file`,
  });
  return results;
}

function findDclint() {
  const dirs = [join(ROOT, 'node_modules/.bin'), ...(process.env.PATH ?? '').split(delimiter)];
  return dirs.map((d) => join(d, 'dclint')).find((p) => existsSync(p));
}

/**
 * Goal 4, measured once: `dclint --fix` (the reformatting fixer this tool is an alternative to)
 * vs ro-convert over the same real corpus files, each on a fresh copy. dclint 3 crashes on some
 * files (aliases) and a crash ends its whole run, so those files are found first (untimed, by
 * bisection) and left out of both sides.
 */
function benchDclint() {
  const goal = 'dclint: dclint --fix / ro-convert --write, real corpus';
  const dclint = findDclint();
  if (!dclint) return { goal, skip: 'dclint not installed (npm install --prefix /tmp/dclint dclint; PATH=/tmp/dclint/node_modules/.bin:$PATH)' };
  const src = join(TMP, 'corpus-src');
  if (!existsSync(src)) makeTree(src, 1);
  const all = readdirSync(join(src, 'c0')).map((d) => join('c0', d, 'compose.yml'));
  const crashes = (names) => {
    const work = join(TMP, 'dclint-probe');
    rmSync(work, { recursive: true, force: true });
    cpSync(src, work, { recursive: true });
    const r = spawnSync(dclint, ['--fix', '-q', ...names.map((n) => join(work, n))], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
    return /\n\s+at /.test(String(r.stderr)) || ![0, 1].includes(r.status);
  };
  const crashing = [];
  const bisect = (names) => {
    if (!crashes(names)) return;
    if (names.length === 1) crashing.push(names[0]);
    else { const half = names.length >> 1; bisect(names.slice(0, half)); bisect(names.slice(half)); }
  };
  bisect(all);
  const files = all.filter((n) => !crashing.includes(n));
  const work = join(TMP, 'corpus');
  const fresh = () => { rmSync(work, { recursive: true, force: true }); cpSync(src, work, { recursive: true }); };
  const paths = files.map((n) => join(work, n));
  const [dc, ro, base] = timeRuns([
    { argv: [dclint, '--fix', '-q', ...paths], before: fresh, okExit: [0, 1] }, // exit 1: problems left
    { argv: node(CLI, '--all', '--write', '--quiet', ...paths), before: fresh, okExit: [0, 2] },
    { argv: node('--input-type=module', '-e', BASELINE, src) },
  ], 1);
  return [
    { goal, ratio: dc / ro, min: 30, detail: `${ms(dc)} vs ${ms(ro)}, ${files.length} files (${crashing.length} that crash dclint left out)` },
    // The most any tool that parses each file once can reach here.
    { goal: 'dclint floor: dclint --fix / parse-only loop, same files', ratio: dc / base, detail: `${ms(base)} for the loop` },
  ];
}

/**
 * A generated home-lab project (issue 24): compose.yml includes FILES files of SERVICES
 * LinuxServer services each (PUID/PGID to strip), with an override file. Converting it as one
 * project (no path: the current directory's, as `docker compose up` reads it) against converting
 * the same service files one by one (named alone: no include, each a single file). Both preview
 * every diff with the check of the converted text on (`--check`).
 */
function benchProject() {
  const FILES = 20;
  const SERVICES = 5;
  const project = join(TMP, 'project');
  const alone = join(TMP, 'project-files');
  const service = (f, k) => `  app${f}x${k}:\n    image: lscr.io/linuxserver/${IMAGES[(f + k) % IMAGES.length]}:latest\n    environment:\n      - PUID=1000\n      - PGID=1000\n      - TZ=Etc/UTC\n    volumes:\n      - ./config/app${f}x${k}:/config\n`;
  const files = [];
  for (let f = 0; f < FILES; f++) {
    const text = `services:\n${Array.from({ length: SERVICES }, (_, k) => service(f, k)).join('')}`;
    for (const dir of [project, alone]) {
      mkdirSync(join(dir, 'stacks'), { recursive: true });
      writeFileSync(join(dir, 'stacks', `s${f}.yml`), text);
    }
    files.push(join(alone, 'stacks', `s${f}.yml`));
  }
  writeFileSync(join(project, 'compose.yml'), `include:\n${files.map((_, f) => `  - stacks/s${f}.yml\n`).join('')}`);
  writeFileSync(join(project, 'compose.override.yml'), 'services:\n  app0x0:\n    restart: unless-stopped\n');
  const times = timeRuns([
    { argv: node(CLI, '--all', '--check', '--no-color'), okExit: [1], cwd: project },
    { argv: node(CLI, '--all', '--check', '--no-color', ...files), okExit: [1] },
  ], N.bulk);
  return [{ goal: `project: ${FILES} included files (${FILES * SERVICES} services) as one project / its files one by one`, ratio: times.ratio(0, 1), max: 1.1, detail: `${ms(times[0])} vs ${ms(times[1])}${cpuNote(times, 0, 1)}` }];
}

function build() {
  if (flags.has('--no-build')) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Crash('npm run build failed');
}

function verdict(r) {
  if (r.skip) return 'SKIP';
  if (r.min !== undefined) return r.ratio >= r.min ? 'PASS' : 'FAIL';
  if (r.max === undefined) return 'INFO';
  return (r.lessThan ? r.ratio < r.max : r.ratio <= r.max) ? 'PASS' : 'FAIL';
}

/** A ratio as `1.23×`, or a share as `12%`. */
function figure(r, value) {
  return r.share ? `${(value * 100).toFixed(0)}%` : `${value.toFixed(2)}×`;
}

function printTable(rows) {
  const cells = rows.map((r) => [
    r.goal,
    r.ratio === undefined ? '-' : figure(r, r.ratio),
    r.min !== undefined ? `≥ ${figure(r, r.min)}` : r.max === undefined ? '-' : `${r.lessThan ? '<' : '≤'} ${figure(r, r.max)}`,
    r.crash ? 'CRASH' : verdict(r),
    r.skip ?? r.detail ?? '',
  ]);
  const head = ['goal', 'ratio', 'target', 'result', 'medians / note'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  console.log(`\n${line(head)}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${cells.map(line).join('\n')}`);
}

const rows = [];
let crashed = false;
try {
  build();
  if (!existsSync(CLI)) throw new Crash(`${CLI} missing: run npm run build (or drop --no-build)`);
  const only = process.argv[process.argv.indexOf('--only') + 1];
  const steps = { bulk: benchBulk, startup: benchStartup, scale: benchScale, project: benchProject, ...(flags.has('--dclint') || only === 'dclint' ? { dclint: benchDclint } : {}) };
  if (flags.has('--only') && !Object.hasOwn(steps, only)) throw new Crash(`--only takes one of bulk, startup, scale, project, dclint, not ${only}`);
  for (const name of Object.keys(steps)) if (flags.has('--only') && name !== only) delete steps[name];
  console.log(`ro-convert bench${QUICK ? ' (--quick)' : ''}: node ${process.version}, ${TMP}`);
  for (const step of Object.values(steps)) {
    try {
      for (const r of [await step()].flat()) {
        rows.push(r);
        console.log(`${verdict(r).padEnd(4)}  ${r.goal}: ${r.skip ?? `${figure(r, r.ratio)} (${r.detail})`}`);
      }
    } catch (e) {
      if (!(e instanceof Crash)) throw e;
      crashed = true;
      rows.push({ goal: step.name, crash: true, detail: 'run crashed, see above' });
      console.error(`CRASH in ${step.name}: ${e.message}`);
    }
  }
} catch (e) {
  crashed = true;
  console.error(e instanceof Crash ? `CRASH: ${e.message}` : e);
} finally {
  rmSync(TMP, { recursive: true, force: true });
}
if (rows.length) printTable(rows);
process.exit(crashed ? 1 : 0);
