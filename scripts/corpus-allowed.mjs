#!/usr/bin/env node
// The corpus check with a narrow allow list: runs ../shared/tools/corpus-check with
// --allow test/corpus-allow.txt, then holds each allowed file to the kind of problem its line
// names. corpus-check ignores every problem of an allowed file; here every one of them must be of
// a listed kind, every listed kind must still occur, and every listed file must still have a
// problem, or the run fails. The oracle knows the companion table, plain /run and UMASK_SET, so
// one kind is left (see the header of test/corpus-allow.txt):
//
//   refused:CODE:SERVICE   the tool refused the file with CODE, its message starts with
//                          `service SERVICE:`, and the file was left byte for byte as it was
//   refused:CODE           the same for a refusal of the whole file (a project Compose cannot
//                          load either, such as an include missing beside the corpus copy)
//
// The oracle prints at most 5 collateral lines per file, so they are recomputed here from the
// copies it keeps (--keep) with its rule (a changed line that names none of its tokens), and its
// printed ones must be among them.
//
//   node scripts/corpus-allowed.mjs [--allow FILE] [--oracle PATH]
//     --allow   the allow list (default test/corpus-allow.txt), relative to the project's root
//     --oracle  the corpus-check command (default ../shared/tools/corpus-check), likewise
// Runs from anywhere; `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { diffArrays } from 'diff';
import yaml from 'js-yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: { allow: { type: 'string', default: 'test/corpus-allow.txt' }, oracle: { type: 'string', default: '../shared/tools/corpus-check' } },
});
const allowPath = options.allow;
const corpusCheck = resolve(root, options.oracle);

// --- the allow list -------------------------------------------------------------------------
// `<corpus file name> <kind>[,<kind>…] [why, free text]`, as corpus-check reads it (name, reason).
const KINDS = /^refused:[a-z-]+(:[^,\s]+)?$/;
const listFailures = [];
const allowed = new Map();
for (const [i, line] of readFileSync(resolve(root, allowPath), 'utf8').split('\n').entries()) {
  const m = /^\s*([^#\s]\S*)\s+(\S+)/.exec(line);
  if (!m) continue;
  const kinds = m[2].split(',');
  const unknown = kinds.filter((k) => !KINDS.test(k));
  if (unknown.length) listFailures.push(`${allowPath}:${i + 1}: unknown kind ${unknown.join(', ')}`);
  if (allowed.has(m[1])) listFailures.push(`${allowPath}:${i + 1}: ${m[1]} is listed twice`);
  allowed.set(m[1], kinds);
}

// --- the oracle's run -----------------------------------------------------------------------
const run = spawnSync(corpusCheck, ['--allow', allowPath, '--verbose', '--keep'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
if (run.error) throw run.error;
// The oracle prints at most this many problems per file with --verbose.
const PRINTED_AT_MOST = 50;
const problemsOf = new Map(); // corpus file name -> { path, lines, truncated }
const passThrough = []; // the oracle's output without the allowed files' blocks
let keptIn = null;
let summary = null;
let block = null;
let printed = 0;
for (const line of run.stdout.split('\n')) {
  const header = /^(\S.*?\.ya?ml)(?: {2}\[allowed: .*\])?$/i.exec(line);
  if (header) {
    const name = basename(header[1]);
    block = problemsOf.get(name) ?? { path: resolve(root, header[1]), lines: [], truncated: false };
    problemsOf.set(name, block);
    printed = 0;
  } else if (line.startsWith('    ') && block) {
    block.lines.push(line.slice(4));
    block.truncated ||= ++printed >= PRINTED_AT_MOST;
  } else {
    block = null;
    const kept = /^copies kept in (.+)$/.exec(line);
    if (kept) keptIn = kept[1];
    else if (line.startsWith('corpus-check: ')) summary = line;
  }
  const ownLine = /^copies kept in /.test(line) || (block && allowed.has(basename(block.path)));
  if (!ownLine) passThrough.push(line);
}
process.stderr.write(run.stderr);

// --- the oracle's collateral rule -----------------------------------------------------------
const tmpfsList = (t) => (t === undefined || t === null ? [] : Array.isArray(t) ? t.map(String) : [String(t)]);
// The oracle's collateral rule (shared/tools/lib/oracle.mjs, collateralLines): a changed line that
// names none of these tokens, nor one of the input's tmpfs entries.
const ORACLE_TOKENS = ['read_only', 'tmpfs', 'environment', '/run', '/tmp', 'PUID', 'PGID', 'UMASK', 'DOCKER_MODS', 'RUN_BANNED_MODS', 'INSTALL_PACKAGES', 'INSTALL_PIP_PACKAGES'];
function collateralLines(before, after, services) {
  const tokens = [...ORACLE_TOKENS, ...Object.values(services).flatMap((s) => tmpfsList(s?.tmpfs))];
  const lines = (text) => text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').split('\n');
  return diffArrays(lines(before), lines(after))
    .filter((part) => part.added || part.removed)
    .flatMap((part) => part.value.map((line) => `${part.added ? '+' : '-'}${line}`))
    .filter((line) => !tokens.some((t) => line.includes(t)));
}

// --- the kinds ------------------------------------------------------------------------------
// Each takes one problem of a file (an oracle line, or a collateral line `+…`/`-…` when
// `collateral`) and says whether the kind explains it.
function explainer(kind, { before, after }) {
  const [, code, refusedService] = kind.split(':');
  const refusal = `tool error: {"code":"${code}","message":"${refusedService === undefined ? '' : `service ${refusedService}: `}`;
  // Refused and untouched: then every service problem is a conversion that did not happen.
  return (line, collateral) => !collateral && before === after && (line.startsWith(refusal) || /^service .+?: /.test(line));
}

// --- holding each allowed file to its kinds -------------------------------------------------
const unexplained = [];
const stale = [];
const explainedBy = new Map();
for (const [name, kinds] of allowed) {
  const found = problemsOf.get(name);
  if (!found) {
    stale.push(`${name}: listed, but the oracle finds no problem in it now (remove its line)`);
    continue;
  }
  if (found.truncated) {
    unexplained.push(`${name}: ${PRINTED_AT_MOST} or more problems, more than the oracle prints; cannot be checked`);
    continue;
  }
  const copy = keptIn && join(keptIn, name);
  if (!copy || !existsSync(copy) || existsSync(join(keptIn, `1-${name}`))) {
    unexplained.push(`${name}: no single converted copy of it in ${keptIn}`);
    continue;
  }
  const before = readFileSync(found.path, 'utf8');
  const after = readFileSync(copy, 'utf8');
  const services = yaml.load(before.replace(/^\uFEFF/, '')).services;
  // The printed collateral lines stand for the full list recomputed here, which must contain them.
  const collateral = collateralLines(before, after, services);
  const printed = found.lines.filter((l) => l.startsWith('collateral line ')).map((l) => l.slice('collateral line '.length));
  const missing = printed.filter((l) => !collateral.includes(l));
  for (const l of missing) unexplained.push(`${name}: collateral line ${l} (printed by the oracle, not recomputed here)`);
  const problems = [...found.lines.filter((l) => !l.startsWith('collateral line ')).map((line) => ({ line, collateral: false })), ...collateral.map((line) => ({ line, collateral: true }))];
  const explainers = kinds.map((kind) => [kind, explainer(kind, { before, after })]);
  const used = new Set();
  for (const { line, collateral: isCollateral } of problems) {
    const kind = explainers.find(([, explains]) => explains(line, isCollateral))?.[0];
    if (kind === undefined) unexplained.push(`${name}: ${isCollateral ? 'collateral line ' : ''}${line}`);
    else {
      used.add(kind);
      explainedBy.set(kind.split(':')[0], (explainedBy.get(kind.split(':')[0]) ?? 0) + 1);
    }
  }
  for (const kind of kinds.filter((k) => KINDS.test(k) && !used.has(k))) stale.push(`${name}: lists ${kind}, but no problem of that kind is left (remove it)`);
}
if (keptIn) rmSync(keptIn, { recursive: true, force: true });

// --- report ---------------------------------------------------------------------------------
const oraclePassed = run.status === 0 && summary?.endsWith('=> PASS');
if (!oraclePassed) console.log(passThrough.join('\n').trimEnd());
else if (summary) console.log(summary);
for (const l of listFailures) console.log(`  list: ${l}`);
for (const l of unexplained) console.log(`  not of a listed kind: ${l}`);
for (const l of stale) console.log(`  stale: ${l}`);
const ok = oraclePassed && listFailures.length + unexplained.length + stale.length === 0;
const counts = [...explainedBy].map(([k, n]) => `${k}=${n}`).join(' ');
console.log(`corpus-allowed: allowed_files=${allowed.size} explained ${counts || 'none'} unexplained=${unexplained.length} stale=${stale.length} list_errors=${listFailures.length} => ${ok ? 'PASS' : 'FAIL'}`);
process.exit(ok ? 0 : 1);
