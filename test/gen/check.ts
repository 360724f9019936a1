// The invariants of a conversion, checked with an oracle that shares nothing with the code
// under test but the `yaml` parser's plain JavaScript view (toJS with merge keys) and a line diff.
// Used by test/properties.test.ts and scripts/fuzz.mjs (which passes the built `convert`).
import { diffArrays } from 'diff';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import type { GenDoc, GenSelection } from './compose.js';
import { STRIPPED } from './compose.js';

/** The part of ro-convert's API the checker uses (src/convert.ts or dist/index.mjs). */
export type ConvertFn = (
  text: string,
  options: GenSelection,
) => { output: string; changed: boolean; services: { name: string; warnings: { code: string; message: string }[] }[] };

type Js = Record<string, unknown>;

const STRIP = new Set(STRIPPED.filter((n) => !n.startsWith('DOCKER_MODS_')));
const isStripped = (name: string) => STRIP.has(name) || name.startsWith('DOCKER_MODS_');
/** Lines a conversion may add or remove mention one of these (or a path an image needs, see otherImageTmpfs). */
const INTENDED = new RegExp(`read_only|tmpfs|/run|/tmp|/var/cache/nginx|environment|\\b(${[...STRIP, 'DOCKER_MODS_[A-Z_]*'].join('|')})\\b`);

function parseJs(text: string): { js: Js | null; error: string | null } {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true });
  if (doc.errors.length) return { js: null, error: doc.errors[0]!.message.split('\n')[0]! };
  return { js: doc.toJS({ maxAliasCount: -1 }) as Js, error: null };
}

function own(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  return Object.getOwnPropertyDescriptor(obj, key)?.value;
}

function without(obj: unknown, keys: string[]): Js {
  const out: Js = {};
  for (const key of Object.keys((obj ?? {}) as object)) if (!keys.includes(key)) Object.defineProperty(out, key, { value: own(obj, key), enumerable: true });
  return out;
}

const tmpfsPath = (entry: string) => entry.split(':')[0]!.trim().replace(/\/+$/, '') || '/';
const tmpfsOptions = (entry: string) => (entry.includes(':') ? entry.slice(entry.indexOf(':') + 1).split(',').map((o) => o.trim()) : []);

function tmpfsList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Environment as [name, value] pairs in order (list or mapping form). */
function envPairs(value: unknown): [string, unknown][] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((item) => {
      const text = String(item);
      const eq = text.indexOf('=');
      return eq < 0 ? [text.trim(), null] : [text.slice(0, eq).trim(), text.slice(eq + 1)];
    });
  }
  return Object.keys(value as object).map((k) => [k, own(value, k)]);
}

/**
 * Converts `doc` with `selection` and returns every broken invariant (empty: all hold):
 * the output parses; unselected services and top-level keys are unchanged; each selected
 * service is read-only with exactly one exec `/run` tmpfs (and `/tmp` where the image needs
 * it) and has lost the stripped variables (LinuxServer images), unless a warning explains why
 * not; nothing else changed; line endings, BOM and final newline are kept; a second run is a
 * no-op; and every changed line is one of the intended ones.
 */
export function checkCase(convert: ConvertFn, doc: GenDoc, selection: GenSelection): string[] {
  const problems: string[] = [];
  const before = parseJs(doc.text);
  if (!before.js) throw new Error(`generator bug: the generated input does not parse: ${before.error}`);
  let result: ReturnType<ConvertFn>;
  try {
    result = convert(doc.text, selection);
  } catch (error) {
    // A refusal with a reason is a valid outcome: no edit reaches the targets without changing
    // a service that is not selected (the file is left alone).
    if ((error as { code?: string })?.code === 'no-placement' && /^service \S+: /.test((error as Error).message)) return [];
    return [`convert threw ${(error as Error)?.name}: ${(error as Error)?.message}`];
  }
  const { output } = result;
  const after = parseJs(output);
  if (!after.js) return [`the output does not parse: ${after.error}`];

  // Text-level: line endings, BOM, final newline.
  const crlf = doc.text.includes('\r\n');
  if (crlf && /(^|[^\r])\n/.test(output)) problems.push('a bare LF in a CRLF file');
  if (!crlf && output.includes('\r\n')) problems.push('a CRLF in an LF file');
  if (doc.text.startsWith('\uFEFF') !== output.startsWith('\uFEFF')) problems.push('the BOM changed');
  // A missing final newline stays missing, except where the file's last lines were removed (or
  // rewritten) and a blank line stood before them: that blank line then ends the file (the only
  // other choice is to delete it).
  const inputLines = doc.text.split(/\r?\n/);
  const outputLines = new Set(output.split(/\r?\n/));
  let kept = inputLines.length - 1;
  while (kept >= 0 && !outputLines.has(inputLines[kept]!)) kept--;
  const lastLineRemovedAfterBlank = kept < inputLines.length - 1 && kept >= 0 && /^[ \t]*$/.test(inputLines[kept]!);
  if (doc.text.endsWith('\n') && !output.endsWith('\n')) problems.push('the final newline was lost');
  if (!doc.text.endsWith('\n') && output.endsWith('\n') && !lastLineRemovedAfterBlank) problems.push('a final newline was added');

  for (const key of new Set([...Object.keys(before.js), ...Object.keys(after.js)])) {
    if (key === 'services' || key.startsWith('x-')) continue;
    if (!isDeepStrictEqual(own(before.js, key), own(after.js, key))) problems.push(`top-level key ${key} changed`);
  }

  const selected = new Map(result.services.map((s) => [s.name, s]));
  if (selection.all && selected.size !== doc.services.length) problems.push(`--all selected ${selected.size} of ${doc.services.length} services`);
  if (selection.services && !isDeepStrictEqual([...selected.keys()].sort(), [...selection.services].sort())) problems.push(`selected ${[...selected.keys()]} instead of ${selection.services}`);

  const servicesBefore = own(before.js, 'services');
  const servicesAfter = own(after.js, 'services');
  for (const service of doc.services) {
    const b = own(servicesBefore, service.name) as Js;
    const a = own(servicesAfter, service.name) as Js | undefined;
    const where = `service ${service.name}`;
    if (a === undefined) {
      problems.push(`${where} disappeared`);
      continue;
    }
    const report = selected.get(service.name);
    if (!report) {
      if (!isDeepStrictEqual(b, a)) problems.push(`${where} (not selected) changed`);
      continue;
    }
    const warned = (codes: string[], transform: string) =>
      report.warnings.some((w) => codes.includes(w.code) || (w.code === 'shared-node' && w.message.startsWith(`${transform}:`)));

    // read_only
    const roBefore = own(b, 'read_only');
    const roAfter = own(a, 'read_only');
    if (typeof roBefore === 'string' && roBefore.includes('${')) {
      if (roAfter !== roBefore) problems.push(`${where}: read_only ${roBefore} (a variable) was changed`);
    } else if (roAfter !== true && !warned(['read-only-variable'], 'read-only')) {
      problems.push(`${where}: read_only is ${JSON.stringify(roAfter)}, not true, and no warning says why`);
    }

    // tmpfs
    const tBefore = tmpfsList(own(b, 'tmpfs'));
    const tAfter = tmpfsList(own(a, 'tmpfs'));
    const runs = tAfter.filter((e) => tmpfsPath(e) === '/run');
    const tmpfsExplained = warned(['run-tmpfs-volume'], 'tmpfs');
    const runsBefore = tBefore.filter((e) => tmpfsPath(e) === '/run');
    const run = service.run ?? 'exec';
    if (run === 'exec') {
      if (!(runs.length === 1 && tmpfsOptions(runs[0]!).includes('exec') && !tmpfsOptions(runs[0]!).includes('noexec')) && !tmpfsExplained) {
        problems.push(`${where}: tmpfs is ${JSON.stringify(own(a, 'tmpfs'))}, not one /run with exec, and no warning says why`);
      }
    } else if (runsBefore.length > 0 || run === 'none') {
      // A non-s6 image's own /run is left as written; none is added where it needs none.
      if (!isDeepStrictEqual(runsBefore, runs)) problems.push(`${where}: /run entries of a ${run} image changed: ${JSON.stringify(runsBefore)} -> ${JSON.stringify(runs)}`);
    } else if (!(runs.length === 1 && !tmpfsOptions(runs[0]!).includes('exec')) && !tmpfsExplained && !volumeAtRun(own(a, 'volumes'))) {
      problems.push(`${where}: tmpfs is ${JSON.stringify(own(a, 'tmpfs'))}, not one /run without exec, and no warning says why`);
    }
    const needed = [...(service.needsTmp ? ['/tmp'] : []), ...(service.needsTmpfs ?? [])];
    for (const path of needed) {
      if (!tAfter.some((e) => tmpfsPath(e) === path) && !warned([], 'tmpfs')) problems.push(`${where}: no ${path} tmpfs for ${service.image}`);
    }
    const others = (list: string[]) => list.filter((e) => tmpfsPath(e) !== '/run' && !needed.includes(tmpfsPath(e))).sort();
    if (!isDeepStrictEqual(others(tBefore), others(tAfter))) problems.push(`${where}: other tmpfs entries changed: ${JSON.stringify(tBefore)} -> ${JSON.stringify(tAfter)}`);

    // environment
    const eBefore = envPairs(own(b, 'environment'));
    const eAfter = envPairs(own(a, 'environment'));
    if (service.lsio) {
      const left = eAfter.filter(([n]) => isStripped(n)).map(([n]) => n);
      if (left.length && !warned(['env-merged-shared', 'env-anchor'], 'strip-env')) problems.push(`${where}: ${left.join(', ')} not stripped and no warning says why`);
      const kept = (pairs: [string, unknown][]) => pairs.filter(([n]) => !isStripped(n));
      if (!isDeepStrictEqual(kept(eBefore), kept(eAfter))) problems.push(`${where}: environment changed beyond stripping: ${JSON.stringify(eBefore)} -> ${JSON.stringify(eAfter)}`);
    } else if (!isDeepStrictEqual(own(b, 'environment'), own(a, 'environment'))) {
      problems.push(`${where}: environment of a non-LinuxServer image changed`);
    }

    if (!isDeepStrictEqual(without(b, ['read_only', 'tmpfs', 'environment']), without(a, ['read_only', 'tmpfs', 'environment']))) problems.push(`${where}: keys other than read_only, tmpfs, environment changed`);
  }

  // A second run is a no-op.
  try {
    const again = convert(output, selection);
    if (again.changed) problems.push(`a second run changed the file again:\n${JSON.stringify(again.output)}`);
  } catch (error) {
    problems.push(`the second run threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
  }

  problems.push(...unintendedLines(doc.text, output));
  return problems;
}

/**
 * Every removed or added line must be about the conversion: it mentions read_only, tmpfs,
 * /run, /tmp, environment or a stripped variable; or it is a line that only gained text in an
 * intended line, or only lost text of one (a flow mapping edited in place: one line is a
 * subsequence of the other);
 * or it is an emptied collection (`key:` became `key: {}`); or a blank line that goes with a
 * removed intended line.
 */
export function unintendedLines(before: string, after: string): string[] {
  const split = (text: string) => text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: string[] = [];
  const parts = diffArrays(split(before), split(after));
  // A comment or blank line removed in one place and added in another only moved relative to
  // edited neighbours (e.g. between two `/run` entries when one is dropped): it is unchanged.
  const count = (lines: string[]) => lines.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
  const comments = (p: (typeof parts)[number]) => p.value.filter((l) => /^\s*(#.*)?$/.test(l));
  const removedAll = count(parts.filter((p) => p.removed).flatMap(comments));
  const addedAll = count(parts.filter((p) => p.added).flatMap(comments));
  const moved = new Map([...removedAll].map(([l, k]) => [l, Math.min(k, addedAll.get(l) ?? 0)]));
  const movedAdded = new Map(moved);
  const take = (m: Map<string, number>, l: string) => {
    const k = m.get(l) ?? 0;
    if (k > 0) m.set(l, k - 1);
    return k > 0;
  };
  for (let i = 0; i < parts.length; i++) {
    if (!parts[i]!.added && !parts[i]!.removed) continue;
    const hunk = { removed: [] as string[], added: [] as string[] };
    // A hunk runs on across unchanged blank lines (the diff may pair blank lines either way).
    const blankOnly = (j: number) => j < parts.length && !parts[j]!.added && !parts[j]!.removed && parts[j]!.value.every((l) => l.trim() === '');
    for (; i < parts.length && (parts[i]!.added || parts[i]!.removed || (blankOnly(i) && i + 1 < parts.length && (parts[i + 1]!.added || parts[i + 1]!.removed))); i++) {
      if (parts[i]!.added) hunk.added.push(...parts[i]!.value.filter((l) => !take(movedAdded, l)));
      else if (parts[i]!.removed) hunk.removed.push(...parts[i]!.value.filter((l) => !take(moved, l)));
    }
    const intendedAdded = hunk.added.filter((l) => INTENDED.test(l) || / (\{\}|\[\])(\s+#.*)?$/.test(l));
    const removesIntended = hunk.removed.some((l) => INTENDED.test(l));
    for (const line of hunk.removed) {
      if (INTENDED.test(line)) continue;
      // A blank line or a closing bracket inside a removed block (an emptied environment) goes with it.
      if (/^[\s{}[\],]*(#.*)?$/.test(line) && removesIntended) continue;
      if (intendedAdded.some((a) => isSubsequence(line, a))) continue;
      problems.push(`unintended removed line: ${JSON.stringify(line)}`);
    }
    for (const line of hunk.added) {
      if (intendedAdded.includes(line)) continue;
      // `tmpfs: /x` became a list: its value moved to a line of its own.
      const moved = line.trim().replace(/^- /, '');
      if (moved && hunk.removed.some((r) => INTENDED.test(r) && r.includes(moved))) continue;
      // A flow mapping that only lost intended entries (`environment: [...]` removed in place).
      if (hunk.removed.some((r) => INTENDED.test(r) && isSubsequence(line, r))) continue;
      problems.push(`unintended added line: ${JSON.stringify(line)}`);
    }
  }
  return problems;
}

function isSubsequence(small: string, big: string): boolean {
  let j = 0;
  for (let i = 0; i < big.length && j < small.length; i++) if (big[i] === small[j]) j++;
  return j === small.length;
}

/** Whether a volume, bind or long-syntax tmpfs already mounts `/run` (so no tmpfs goes there). */
function volumeAtRun(volumes: unknown): boolean {
  if (!Array.isArray(volumes)) return false;
  const atRun = (target: unknown) => typeof target === 'string' && /^\/(var\/)?run\/?$/.test(target);
  return volumes.some((v) => (typeof v === 'string' ? atRun(v.split(':')[1]) : v !== null && typeof v === 'object' && atRun((v as Record<string, unknown>).target)));
}
