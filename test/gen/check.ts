// The invariants of a conversion, checked with an oracle that shares nothing with the code
// under test but the `yaml` parser's plain JavaScript view (toJS; merge keys, extends and
// Compose's tags are applied here, independently) and a line diff.
// Used by test/properties.test.ts and scripts/fuzz.mjs (which passes the built `convert`).
import { diffArrays } from 'diff';
import { isDeepStrictEqual } from 'node:util';
import { parse, parseDocument } from 'yaml';
import type { GenDoc, GenSelection } from './compose.js';
import { STRIPPED, TOO_DEEP } from './compose.js';

/** The part of ro-convert's API the checker uses (src/convert.ts or dist/index.mjs). */
export type ConvertFn = (
  text: string,
  options: GenSelection,
) => { output: string; changed: boolean; services: { name: string; changes?: { code: string }[]; warnings: { code: string; message: string }[] }[] };

type Js = Record<string, unknown>;

const STRIP = new Set(STRIPPED.filter((n) => !n.startsWith('DOCKER_MODS_')));
const isStripped = (name: string) => STRIP.has(name) || name.startsWith('DOCKER_MODS_');
/** Lines a conversion may add or remove mention one of these (or a path an image needs, see otherImageTmpfs). */
const INTENDED = new RegExp(`read_only|tmpfs|/run|/tmp|/var/cache/nginx|environment|\\b(${[...STRIP, 'DOCKER_MODS_[A-Z_]*'].join('|')})\\b`);

/** A value tagged `!reset` or `!override` (Compose's merge tags), as the parser hands it over. */
class Tagged {
  constructor(
    readonly tag: '!reset' | '!override',
    readonly value: unknown,
  ) {}
}
// A collection's tag gets the collection node: toJSON gives its plain value (the generator puts
// no aliases inside tagged values, which would need the document to resolve).
const plainOf = (value: unknown) => (value !== null && typeof value === 'object' && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value);
// A tagged plain scalar reads as YAML's core schema reads it untagged (`!override true` is true, as in Compose v2).
const scalarOf = (value: unknown) => (typeof value === 'string' ? (value === '' ? null : (parse(value) as unknown)) : value);
const COMPOSE_TAGS = (['!reset', '!override'] as const).flatMap((tag) =>
  ([undefined, 'map', 'seq'] as const).map((collection) => ({
    tag,
    ...(collection ? { collection } : {}),
    resolve: (value: unknown) => new Tagged(tag, collection ? plainOf(value) : scalarOf(value)),
  })),
);

/**
 * The document as plain values: core schema whatever `%YAML` directive it has (Compose's
 * parser does not switch to YAML 1.1 booleans), merge keys left as `<<` keys (applied by
 * withMerges below, as Compose applies them), `!reset` and `!override` kept as Tagged.
 */
function parseJs(text: string): { js: Js | null; error: string | null } {
  const doc = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true, customTags: COMPOSE_TAGS as never });
  if (doc.errors.length) return { js: null, error: doc.errors[0]!.message.split('\n')[0]! };
  return { js: withMerges(doc.toJS({ maxAliasCount: -1 })) as Js, error: null };
}

function own(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  return Object.getOwnPropertyDescriptor(obj, key)?.value;
}

const isMapping = (value: unknown): value is Js => value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Tagged);

function setOwn(obj: Js, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

/**
 * Merge keys applied at every level: keys written in the mapping win, then the merge sources in
 * list order (an earlier source hides the same key in a later one); one level deep. A `!reset`
 * key does not hide a merged one: Compose v2 drops the reset pair before the merge keys apply,
 * so the merged value shows, and still nothing is inherited through `extends` (2.26:
 * `<<: *c` giving `read_only: true` and `read_only: !reset false` run read-only), which is what
 * an `!override` of the merged value means here.
 */
function withMerges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withMerges);
  if (value instanceof Tagged) return new Tagged(value.tag, withMerges(value.value));
  if (!isMapping(value)) return value;
  const out: Js = {};
  for (const key of Object.keys(value)) if (key !== '<<') setOwn(out, key, withMerges(own(value, key)));
  const sources = own(value, '<<');
  for (const source of Array.isArray(sources) ? sources : sources === undefined ? [] : [sources]) {
    const merged = withMerges(source);
    for (const key of isMapping(merged) ? Object.keys(merged) : []) {
      const mine = own(out, key);
      if (!Object.hasOwn(out, key)) setOwn(out, key, own(merged, key));
      else if (mine instanceof Tagged && mine.tag === '!reset') setOwn(out, key, new Tagged('!override', own(merged, key)));
    }
  }
  return out;
}

const BARE_VARIABLES = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/g;
/**
 * Compose v2 interpolates before it reads a mount: `${VAR:-default}` and `${VAR-default}` give
 * the default, a bare `${VAR}` an empty string (the generator sets no variable).
 */
const interpolated = (text: string) => text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^{}$]*)\}/g, '$1').replace(BARE_VARIABLES, '');
const tmpfsPath = (entry: string) => interpolated(entry).split(':')[0]!.trim().replace(/\/+$/, '') || '/';
const tmpfsOptions = (entry: string) => {
  const text = interpolated(entry);
  return text.includes(':') ? text.slice(text.indexOf(':') + 1).split(',').map((o) => o.trim()) : [];
};
/** `/var/run` is `/run` in the images (a symlink): one mount point. */
const mountPoint = (path: string) => path.replace(/^\/var\/run(?=\/|$)/, '/run');

function tmpfsList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Environment as name → value (list or mapping form; a later list entry wins), values as text. */
function envMap(value: unknown): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === null) continue;
      const text = String(item);
      const eq = text.indexOf('=');
      // Split at the first `=`, nothing trimmed (`PUID =1` sets `PUID `), as Compose v2 splits it.
      const name = eq < 0 ? text : text.slice(0, eq);
      out.delete(name);
      out.set(name, eq < 0 ? null : text.slice(eq + 1));
    }
  } else if (isMapping(value)) {
    for (const key of Object.keys(value)) out.set(key, own(value, key) === null ? null : String(own(value, key)));
  }
  return out;
}

/** The container path of a `volumes` entry (`SRC:DST[:MODE]`, `DST`, or `{target}`). */
function volumeTarget(entry: unknown): string | null {
  if (typeof entry === 'string') {
    const parts = interpolated(entry).split(':');
    return parts.length === 1 ? parts[0]! : (parts[1] ?? null);
  }
  const target = own(entry, 'target');
  return typeof target === 'string' ? interpolated(target) : null;
}

/** Whether a tmpfs entry or volume target of the service is a variable without a default: its path is known only at run time. */
function runTimeMount(view: Map<string, unknown>): boolean {
  const volumes = get(view, 'volumes');
  const targets = (Array.isArray(volumes) ? volumes : []).map((v) => (typeof v === 'string' ? (v.split(':')[1] ?? v) : String(own(v, 'target') ?? '')));
  return [...((get(view, 'tmpfs') as string[] | undefined) ?? []), ...targets].some((t) => t.replace(BARE_VARIABLES, '') !== t);
}

/** Compose does not inherit these through `extends`. */
const NOT_INHERITED = new Set(['extends', 'depends_on', 'links', 'volumes_from']);

/**
 * A service as Compose builds it from this one file (merge keys already applied): same-file
 * `extends` (tmpfs appended, environment merged by name and volumes by target with the child
 * winning, mappings merged by key, anything else the child's), `!reset` dropping a key and
 * `!override` replacing the inherited value; tmpfs as a list, environment as a name → value map.
 * Null when the service is not a mapping.
 */
function effectiveService(services: unknown, name: string, visiting: ReadonlySet<string> = new Set()): Map<string, unknown> | null {
  const service = own(services, name);
  if (!isMapping(service)) return null;
  const baseName = baseOf(service);
  const base = baseName !== null && !visiting.has(baseName) ? effectiveService(services, baseName, new Set([...visiting, name])) : null;
  const out = new Map<string, unknown>();
  for (const [key, value] of base ?? []) if (!NOT_INHERITED.has(key)) out.set(key, value);
  for (const key of Object.keys(service)) {
    const value = own(service, key);
    if (value instanceof Tagged) {
      if (value.tag === '!reset') out.delete(key);
      else out.set(key, normalised(key, value.value));
      continue;
    }
    const inherited = out.get(key);
    const mine = normalised(key, value);
    if (!out.has(key)) out.set(key, mine);
    else if (key === 'tmpfs') out.set(key, [...(inherited as string[]), ...(mine as string[])]);
    else if (key === 'environment') out.set(key, new Map([...(inherited as Map<string, unknown>), ...(mine as Map<string, unknown>)]));
    else if (key === 'volumes' && Array.isArray(inherited) && Array.isArray(mine)) {
      const targets = new Set(mine.map(volumeTarget));
      out.set(key, [...inherited.filter((v) => !targets.has(volumeTarget(v))), ...mine]);
    } else if (isMapping(inherited) && isMapping(mine)) {
      const both: Js = {};
      for (const source of [inherited, mine]) for (const k of Object.keys(source)) setOwn(both, k, own(source, k));
      out.set(key, both);
    } else out.set(key, mine);
  }
  return out;
}

/** The same-file services a service extends, nearest first (a cycle ends the chain). */
function extendsChain(services: unknown, name: string): string[] {
  const chain: string[] = [];
  for (let base = baseOf(own(services, name)); base !== null && base !== name && !chain.includes(base) && isMapping(own(services, base)); base = baseOf(own(services, base))) chain.push(base);
  return chain;
}

/** The service a service's `extends` names in this file (`extends: base` or `{service: base}` without `file`). */
function baseOf(service: unknown): string | null {
  const ext = own(service, 'extends');
  if (typeof ext === 'string') return ext;
  return isMapping(ext) && own(ext, 'file') === undefined && typeof own(ext, 'service') === 'string' ? (own(ext, 'service') as string) : null;
}

function normalised(key: string, value: unknown): unknown {
  return key === 'tmpfs' ? tmpfsList(value) : key === 'environment' ? envMap(value) : value;
}

const get = (view: Map<string, unknown>, key: string) => view.get(key);
const withoutKeys = (view: Map<string, unknown>, keys: string[]) => new Map([...view].filter(([k]) => !keys.includes(k)));

/** Every mount point of a service: tmpfs entries and volume targets, `/var/run` as `/run`. */
function mountPoints(view: Map<string, unknown>): string[] {
  const volumes = get(view, 'volumes');
  const targets = (Array.isArray(volumes) ? volumes : []).map(volumeTarget).filter((t): t is string => t !== null);
  return [...(get(view, 'tmpfs') as string[] | undefined ?? []), ...targets].map((entry) => mountPoint(tmpfsPath(entry)));
}

/**
 * Converts `doc` with `selection` and returns every broken invariant (empty: all hold). A
 * refusal (`no-placement`, naming the service) is a valid outcome with no output. Otherwise:
 * the output parses; top-level keys are unchanged; in Compose's view of each service (merge
 * lists, same-file extends, !reset, see effectiveService) unselected services are identical,
 * and each selected one differs only in read_only (now true, or the user's `${VAR}`), tmpfs
 * (exactly one `/run`, with exec where the image needs it, unless something else is mounted
 * there; the paths the image needs mounted; no path mounted twice) and the stripped variables
 * (LinuxServer images, unless a warning says why one stays); line endings, BOM and final
 * newline are kept; a second run is a no-op; and every changed line is an intended one.
 */
export function checkCase(convert: ConvertFn, doc: GenDoc, selection: GenSelection): string[] {
  const problems: string[] = [];
  const before = parseJs(doc.text);
  if (!before.js) throw new Error(`generator bug: the generated input does not parse: ${before.error}`);
  let result: ReturnType<ConvertFn>;
  // A file nested as deep as ro-convert's limit is refused as such, whatever else it holds.
  const tooDeep = (doc.depth ?? 0) >= TOO_DEEP;
  try {
    result = convert(doc.text, selection);
  } catch (error) {
    if (tooDeep) return (error as { code?: string })?.code === 'too-deep' ? [] : [`convert threw ${(error as Error)?.name}: ${(error as Error)?.message}, not too-deep (depth ${doc.depth})`];
    // A refusal with a reason is a valid outcome: no edit reaches the targets without changing
    // a service that is not selected (the file is left alone).
    if ((error as { code?: string })?.code === 'no-placement' && /^service \S+: /.test((error as Error).message)) return [];
    return [`convert threw ${(error as Error)?.name}: ${(error as Error)?.message}`];
  }
  if (tooDeep) return [`converted a file nested ${doc.depth} levels deep instead of refusing it (too-deep)`];
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

  // Each service compared as Compose builds it (merge keys, same-file extends, !reset).
  const servicesBefore = own(before.js, 'services');
  const servicesAfter = own(after.js, 'services');
  for (const service of doc.services) {
    const b = effectiveService(servicesBefore, service.name)!;
    const a = effectiveService(servicesAfter, service.name);
    const where = `service ${service.name}`;
    if (a === null) {
      problems.push(`${where} disappeared`);
      continue;
    }
    const report = selected.get(service.name);
    if (!report) {
      if (!isDeepStrictEqual(b, a)) problems.push(`${where} (not selected) changed in Compose's view: ${show(b)} -> ${show(a)}`);
      continue;
    }
    const warned = (code: string) => report.warnings.some((w) => w.code === code);

    // read_only: true, or the user's `${VAR}` left as it is.
    const roBefore = get(b, 'read_only');
    const roAfter = get(a, 'read_only');
    if (typeof roBefore === 'string' && roBefore.includes('${')) {
      if (roAfter !== roBefore) problems.push(`${where}: read_only ${roBefore} (a variable) was changed`);
    } else if (roAfter !== true) problems.push(`${where}: read_only is ${JSON.stringify(roAfter)}, not true`);

    // tmpfs: /run as the image needs it, unless something else is mounted there (then nothing
    // is added, and an s6 image is warned about exec); the paths the image needs mounted.
    const tBefore = (get(b, 'tmpfs') as string[] | undefined) ?? [];
    const tAfter = (get(a, 'tmpfs') as string[] | undefined) ?? [];
    const isRun = (e: string) => mountPoint(tmpfsPath(e)) === '/run';
    const runs = tAfter.filter(isRun);
    const runsBefore = tBefore.filter(isRun);
    const run = service.run ?? 'exec';
    const convertedBases = extendsChain(servicesBefore, service.name).filter((base) => selected.has(base));
    const elsewhereAtRun = mountPoints(b).filter((p) => p === '/run').length > runsBefore.length;
    // A mount whose path is known only at run time may be at /run or a needed path: nothing is added where it may be, and a warning says so.
    const unknownPath = runTimeMount(b) && warned('mount-path-variable');
    if (unknownPath) {
      // (What is added is still checked: no path mounted twice, no other entry changed.)
    } else if (elsewhereAtRun) {
      // (A converted base may change the /run entries it gives, not add one: see the mount counts.)
      if (!isDeepStrictEqual(runsBefore, runs) && !convertedBases.length) problems.push(`${where}: a /run tmpfs changed next to another mount at /run: ${JSON.stringify(runsBefore)} -> ${JSON.stringify(runs)}`);
      // A bind or volume at /run runs scripts (seen on the engine); a long-syntax tmpfs volume cannot carry exec.
      const volumes = get(b, 'volumes');
      const tmpfsVolumeAtRun = (Array.isArray(volumes) ? volumes : []).some((v) => isMapping(v) && own(v, 'type') === 'tmpfs' && volumeTarget(v) !== null && mountPoint(tmpfsPath(volumeTarget(v)!)) === '/run');
      if (run === 'exec' && tmpfsVolumeAtRun && !warned('run-tmpfs-volume')) problems.push(`${where}: /run is mounted without exec and no warning says so`);
    } else if (run === 'exec') {
      if (!(runs.length === 1 && tmpfsOptions(runs[0]!).includes('exec') && !tmpfsOptions(runs[0]!).includes('noexec'))) problems.push(`${where}: tmpfs is ${JSON.stringify(tAfter)}, not one /run with exec`);
    } else if (convertedBases.length && runs.length <= Math.max(1, runsBefore.length) && (run === 'none' || runs.length >= 1)) {
      // A converted base's /run (with exec where its image needs it) is appended here too.
    } else if (runsBefore.length > 0 || run === 'none') {
      // A non-s6 image's own /run is left as written; none is added where it needs none.
      if (!isDeepStrictEqual(runsBefore, runs)) problems.push(`${where}: /run entries of a ${run} image changed: ${JSON.stringify(runsBefore)} -> ${JSON.stringify(runs)}`);
    } else if (!(runs.length === 1 && !tmpfsOptions(runs[0]!).includes('exec'))) {
      problems.push(`${where}: tmpfs is ${JSON.stringify(tAfter)}, not one /run without exec`);
    }
    const needed = [...(service.needsTmp ? ['/tmp'] : []), ...(service.needsTmpfs ?? [])];
    const mountedAfter = mountPoints(a);
    // A /run mount holds what an image needs under /run: /run is emptied at boot, so images make their folders there.
    const isMountedAfter = (path: string) => mountedAfter.includes(path) || (path.startsWith('/run/') && mountedAfter.includes('/run'));
    for (const path of unknownPath ? [] : needed) if (!isMountedAfter(mountPoint(path))) problems.push(`${where}: nothing mounted at ${path} for ${service.image}`);
    // No path mounted twice that was mounted once (the engine refuses such a container).
    const mountedBefore = mountPoints(b);
    for (const path of new Set(mountedAfter)) {
      const count = (list: string[]) => list.filter((p) => p === path).length;
      if (count(mountedAfter) > Math.max(1, count(mountedBefore))) problems.push(`${where}: ${path} is mounted ${count(mountedAfter)} times`);
    }
    // Entries an extended base gains from its own conversion come with it (Compose appends them).
    const neededByBases = convertedBases
      .flatMap((base) => doc.services.find((s) => s.name === base) ?? [])
      .flatMap((s) => [...(s.needsTmp ? ['/tmp'] : []), ...(s.needsTmpfs ?? [])]);
    const others = (list: string[]) => list.filter((e) => !isRun(e) && !needed.includes(tmpfsPath(e)) && !neededByBases.includes(tmpfsPath(e))).sort();
    if (!isDeepStrictEqual(others(tBefore), others(tAfter))) problems.push(`${where}: other tmpfs entries changed: ${JSON.stringify(tBefore)} -> ${JSON.stringify(tAfter)}`);

    // environment: the stripped variables gone (LinuxServer images), the others as they were.
    const eBefore = (get(b, 'environment') as Map<string, string | null> | undefined) ?? new Map<string, string | null>();
    const eAfter = (get(a, 'environment') as Map<string, string | null> | undefined) ?? new Map<string, string | null>();
    if (service.lsio) {
      const left = [...eAfter.keys()].filter(isStripped);
      // Left where they come from a block shared with services that keep them, or from an extended
      // base that keeps them (Compose merges the base's environment in by name).
      const explained = report.warnings.some((w) => w.code === 'extends' && left.every((n) => w.message.includes(n)));
      if (left.length && !explained) problems.push(`${where}: ${left.join(', ')} not stripped and no warning says why`);
      const kept = (env: Map<string, string | null>) => new Map([...env].filter(([n]) => !isStripped(n)));
      if (!isDeepStrictEqual(kept(eBefore), kept(eAfter))) problems.push(`${where}: environment changed beyond stripping: ${show(eBefore)} -> ${show(eAfter)}`);
    } else if (!isDeepStrictEqual(eBefore, eAfter)) {
      problems.push(`${where}: environment of a non-LinuxServer image changed: ${show(eBefore)} -> ${show(eAfter)}`);
    }

    const rest = (view: Map<string, unknown>) => withoutKeys(view, ['read_only', 'tmpfs', 'environment']);
    if (!isDeepStrictEqual(rest(b), rest(a))) problems.push(`${where}: keys other than read_only, tmpfs, environment changed: ${show(rest(b))} -> ${show(rest(a))}`);
  }

  // A second run is a no-op.
  try {
    const again = convert(output, selection);
    if (again.changed) problems.push(`a second run changed the file again:\n${JSON.stringify(again.output)}`);
  } catch (error) {
    problems.push(`the second run threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
  }

  // A service that read its environment from a shared block gets the entries it keeps as its own;
  // a reader of a block edited in place for another service gets a copy of it for its alias.
  const reported = (code: string) => result.services.some((s) => s.changes?.some((c) => c.code === code));
  problems.push(...unintendedLines(doc.text, output, { ownEnvironment: reported('env-overridden'), copied: reported('shared-copied') }));
  return problems;
}

/** A merge key line (`<<: *block`, `<<: [*a, *b]`), which an own environment replaces. */
const MERGE_KEY_LINE = /^\s*<<:\s*(\*[^\s#,]+|\[[^\]#]*\])\s*(#.*)?$/;

/** A line whose value is an alias (`key: *block`, `- *block`), which a copy of the block replaces. */
const ALIAS_LINE = /^\s*(-\s+|[^\s#][^#]*:\s+)?\*[^\s#,[\]{}]+\s*(#.*)?$/;

/**
 * Every removed or added line must be about the conversion: it mentions read_only, tmpfs,
 * /run, /tmp, environment or a stripped variable; or it is a line that only gained text in an
 * intended line, or only lost text of one (a flow mapping edited in place: one line is a
 * subsequence of the other);
 * or it is an emptied collection (`key:` became `key: {}`); or a blank line that goes with a
 * removed intended line. With `ownEnvironment` (a service reported `env-overridden`), a removed
 * merge key line and an added line copying an entry written in the input are the placement too;
 * with `copied` (a reader of an edited block got a copy of it), a removed alias line and added
 * lines copying lines written in the input.
 */
export function unintendedLines(before: string, after: string, { ownEnvironment = false, copied = false } = {}): string[] {
  // An alias line (`- *puid`) is about what its anchor holds (`&puid PUID=1000`).
  // (The rest of the line is looked at, not consumed: a flow line may hold several anchors.)
  const anchored = new Map([...before.matchAll(/&([^\s,[\]{}]+)[ \t]+(?=([^\r\n]*))/g)].map((m) => [m[1]!, m[2]!]));
  const expand = (line: string) => line.replace(/\*([^\s,[\]{}]+)/g, (alias, name: string) => anchored.get(name) ?? alias);
  const intended = (line: string) => INTENDED.test(expand(line));
  const split = (text: string) => entryLines(text.replace(/^\uFEFF/, '').split(/\r?\n/));
  const problems: string[] = [];
  const parts = diffArrays(split(before), split(after));
  // The input's entries each on one line, as a copy of one is written (`? KEY` `: v` as `KEY: v`).
  const entriesBefore = split(before).map(oneLine).join('\n');
  const beforeLines = new Set(before.split(/\r?\n/).map((line) => line.trim()));
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
    const intendedAdded = hunk.added.filter((l) => intended(l) || / (\{\}|\[\])(\s+#.*)?$/.test(l));
    const removesIntended = hunk.removed.some((l) => intended(l));
    for (const line of hunk.removed) {
      if (intended(line)) continue;
      // A blank line or a closing bracket inside a removed block (an emptied environment) goes with it.
      if (/^[\s{}[\],]*(#.*)?$/.test(line) && removesIntended) continue;
      if (intendedAdded.some((a) => isSubsequence(line, a))) continue;
      if (ownEnvironment && MERGE_KEY_LINE.test(line)) continue;
      if (copied && ALIAS_LINE.test(line)) continue;
      problems.push(`unintended removed line: ${JSON.stringify(line)}`);
    }
    for (const line of hunk.added) {
      if (intendedAdded.includes(line)) continue;
      // `tmpfs: /x` (or `tmpfs: *x`) became a list: its value moved to a line of its own.
      const moved = line.trim().replace(/^- /, '');
      if (moved && hunk.removed.some((r) => intended(r) && expand(r).includes(moved))) continue;
      // A flow mapping that only lost intended entries (`environment: [...]` removed in place).
      if (hunk.removed.some((r) => intended(r) && isSubsequence(line, r))) continue;
      // An entry copied from the input (with the comment of the merge key line it replaced, if any).
      // A copy of a block carries its blank and comment lines too.
      if (copied && /^\s*(#.*)?$/.test(line) && beforeLines.has(line.trim())) continue;
      const entry = oneLine(line).trim().replace(/^- /, '').replace(/\s+#.*$/, '');
      if ((ownEnvironment || copied) && entry.length > 0 && (entriesBefore.includes(entry) || before.includes(entry))) continue;
      problems.push(`unintended added line: ${JSON.stringify(line)}`);
    }
  }
  return problems;
}

/**
 * The lines with each entry whose value is on the next line (`- # note` then `PUID=1000`,
 * `PUID:` then `1000`, `? UMASK` then `: "022"`) joined into one: such an entry is about what
 * both its lines say, whichever of them an edit changes.
 */
function entryLines(lines: string[]): string[] {
  const out: string[] = [];
  const indent = (line: string) => line.length - line.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!.replace(/(^|\s)#.*$/, '').trimEnd();
    const next = lines[i + 1];
    const valueBelow = next !== undefined && /^\s*(-|[^\s#-][^#]*:)$/.test(head) && indent(next) > indent(head) && !/^\s*(#|$|-(\s|$)|\?\s|[^#]*:(\s|$))/.test(next);
    const explicitValue = next !== undefined && /^\s*\?\s/.test(head) && indent(next) === indent(head) && /^\s*:(\s|$)/.test(next);
    if (valueBelow || explicitValue) out.push(`${lines[i]!}\n${lines[++i]!}`);
    else out.push(lines[i]!);
  }
  return out;
}

/** An entry of entryLines on one line: `KEY: value`, `- value`. */
function oneLine(entry: string): string {
  const [head, value] = entry.split('\n');
  if (value === undefined) return entry;
  const key = head!.replace(/(^|\s)#.*$/, '').trimEnd();
  return /^\s*\?\s/.test(key) ? `${key.replace(/\?\s+/, '')}${value.trim()}` : `${key} ${value.trim()}`;
}

function isSubsequence(small: string, big: string): boolean {
  let j = 0;
  for (let i = 0; i < big.length && j < small.length; i++) if (big[i] === small[j]) j++;
  return j === small.length;
}

/** A value of the effective view as JSON, for messages. */
function show(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v));
}

/** What a service is in Compose's view, as this checker reads it and as `docker compose config` prints it. */
export interface ServiceReading {
  readOnly: boolean;
  /** tmpfs paths (interpolated, `/var/run` as `/run`), sorted. */
  tmpfs: string[];
  /** environment variable names, sorted. */
  environment: string[];
  /** volume targets (interpolated, `/var/run` as `/run`), one per target, sorted. */
  volumes: string[];
  /** label names, sorted. */
  labels: string[];
}

/** Label names of a `labels` mapping or `NAME=value` list. */
function labelNames(value: unknown): string[] {
  return (Array.isArray(value) ? value.map((item) => String(item).split('=')[0]!) : isMapping(value) ? Object.keys(value) : []).sort();
}

/**
 * The checker's reading of each service of a compose text (null when it does not parse), for
 * comparison with Compose v2's (`docker compose config --format json`, see {@link composeReading}).
 */
export function checkerReading(text: string): Record<string, ServiceReading> | null {
  const { js } = parseJs(text);
  const services = own(js, 'services');
  if (!isMapping(services)) return null;
  const out: Record<string, ServiceReading> = {};
  for (const name of Object.keys(services)) {
    const view = effectiveService(services, name);
    if (!view) continue;
    const volumes = get(view, 'volumes');
    const ro = get(view, 'read_only');
    setOwn(out, name, {
      readOnly: ro === true || (typeof ro === 'string' && ro.toLowerCase() === 'true'),
      // Compose v2 keeps one of entries equal once interpolated (`/tmp` and `${TMP_DIR-/tmp}`: seen with 2.26).
      tmpfs: [...new Set(((get(view, 'tmpfs') as string[] | undefined) ?? []).map(interpolated))].map((e) => mountPoint(tmpfsPath(e))).sort(),
      environment: [...((get(view, 'environment') as Map<string, unknown> | undefined)?.keys() ?? [])].sort(),
      // Compose 2.26 keeps one entry per target (the last; `./a:/c` and `./b:/c` mount ./b).
      volumes: [...new Set((Array.isArray(volumes) ? volumes : []).map(volumeTarget).filter((t): t is string => t !== null).map((t) => mountPoint(tmpfsPath(t))))].sort(),
      labels: labelNames(get(view, 'labels')),
    });
  }
  return out;
}

/** The same reading of `docker compose config --format json`'s services. */
export function composeReading(config: { services?: Record<string, Record<string, unknown>> }): Record<string, ServiceReading> {
  const out: Record<string, ServiceReading> = {};
  for (const [name, service] of Object.entries(config.services ?? {})) {
    const volumes = Array.isArray(service.volumes) ? (service.volumes as { target?: string }[]) : [];
    setOwn(out, name, {
      readOnly: service.read_only === true,
      tmpfs: tmpfsList(service.tmpfs).map((e) => mountPoint(tmpfsPath(e))).sort(),
      environment: Object.keys((service.environment as Record<string, unknown> | undefined) ?? {}).sort(),
      volumes: volumes.map((v) => mountPoint(tmpfsPath(String(v.target ?? '')))).sort(),
      labels: Object.keys((service.labels as Record<string, unknown> | undefined) ?? {}).sort(),
    });
  }
  return out;
}
