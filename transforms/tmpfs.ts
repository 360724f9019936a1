import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Change } from '../src/plan/diagnostics.js';
import type { TextEdit } from '../src/plan/edits.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { extendsRef, hasExec, tmpfsEntries, tmpfsOptions, tmpfsPath } from '../src/model/service-values.js';
import { nothing } from '../src/plan/transform.js';
import type { TmpfsNeed } from '../src/knowledge/needs.js';
import { addMapEntries, appendSequenceItems, removeEntries, replaceScalar, scalarText } from '../src/plan/yaml-edit.js';
import { effectivePair, effectiveValue, ownValue, resolveNode, stringValue } from '../src/parse/yaml-nodes.js';

/** The `/run` entry with `exec`: `noexec` replaced (in place), other options kept. */
export function runEntryWithExec(entries: readonly string[]): string {
  const options: string[] = [];
  const optionKey = (o: string) => o.split('=')[0];
  for (const entry of entries) {
    for (const option of tmpfsOptions(entry)) {
      const value = option === 'noexec' ? 'exec' : option;
      if (!options.some((o) => optionKey(o) === optionKey(value))) options.push(value);
    }
  }
  if (!options.includes('exec')) options.push('exec');
  const path = entries[0]?.split(':')[0]!.trim() || '/run';
  return `${path}:${options.join(',')}`;
}

/**
 * Mounts `/run` as a tmpfs with `exec` (the s6 supervisor runs its service files there;
 * Docker mounts tmpfs `noexec` by default), and `/tmp` too for the images whose readme
 * requires it. Exactly one `/run` entry results; other entries are kept as written.
 */
export function tmpfsMounts(ctx: ServiceContext): TransformResult {
  const { service, doc, layout } = ctx;
  const result = nothing();
  const line = (node: Node | null) => ctx.lineOf((node ?? service.key).range![0]);
  const runVolume = tmpfsVolumeAtRun(ctx);
  if (runVolume) {
    result.warnings.push({
      code: 'run-tmpfs-volume',
      message: '/run is a tmpfs volume in long syntax, which cannot carry exec; replace it with `tmpfs: [/run:exec]` (left as it is)',
      line: line(runVolume),
    });
  }
  // Compose appends a same-file `extends` base's tmpfs list to the service's own: a /run there
  // (or one the conversion gives the base) must not be added again.
  const base = extendedBase(ctx);
  const inheritedRun = base?.tmpfs.filter((e) => tmpfsPath(e) === '/run') ?? [];
  const found = effectivePair(service.map, 'tmpfs', doc);
  const value = found ? resolveNode(found.pair.value, doc) : null;
  const present = tmpfsEntries(service.map, doc);
  const runEntries = present.filter((e) => tmpfsPath(e) === '/run');
  if (base && inheritedRun.length) {
    const extendsLine = line(effectivePair(service.map, 'extends', doc)?.pair.key as Node);
    const message = runEntries.length
      ? `${base.name}, which this service extends, also mounts /run: Compose appends both entries and mounts /run twice; keep one`
      : inheritedRun.every(hasExec)
        ? `/run:exec comes from ${base.name} through extends; none added here (Compose would mount /run twice)`
        : `${base.name}, which this service extends, mounts /run without exec; convert ${base.name} too (nothing added here: Compose would mount /run twice)`;
    result.warnings.push({ code: 'extends', message, line: extendsLine });
  }
  // An inherited /run is not added again; a /run of the service's own is still given exec.
  const wantRun = !runVolume && (inheritedRun.length === 0 || runEntries.length > 0);
  const runOk = !wantRun || (runEntries.length === 1 && hasExec(runEntries[0]!));
  const mounted = [...present, ...(base?.tmpfs ?? [])].map(tmpfsPath);
  const missingNeeds = ctx.needs.tmpfs.filter((need) => !mounted.includes(need.path));
  if (runOk && missingNeeds.length === 0) return result;

  const missing: string[] = [];
  if (wantRun && runEntries.length === 0) missing.push('/run:exec');
  missing.push(...missingNeeds.map(tmpfsNeedEntry));
  const change = (code: Change['code'], message: string, node: Node | null) => result.changes.push({ code, message, line: line(node) });
  const describeMissing = () => {
    if (missing.includes('/run:exec')) change('tmpfs-added', 'added tmpfs /run:exec', found?.pair.key as Node ?? null);
    for (const need of missingNeeds) change('tmpfs-added', `added tmpfs ${tmpfsNeedEntry(need)} (required by ${service.imageRef?.lsioName ?? 'the image'})`, found?.pair.key as Node ?? null);
  };

  if (!found) {
    result.edits.push(addMapEntries(layout, service.map, [blockOrFlow(ctx, missing)], ctx.style));
    describeMissing();
    return result;
  }
  if (isScalar(value) && value.value === null) {
    result.edits.push(...fillNull(ctx, found.owner, found.pair, value, missing));
    describeMissing();
    return result;
  }
  const fixedRun = runEntries.length > 0 ? runEntryWithExec(runEntries) : null;
  if (found.merged && !ctx.canEdit(value as Node)) {
    // The list comes from a block other services share: give this service its own.
    const own = [...present.map((e) => (tmpfsPath(e) === '/run' ? (e === runEntries[0] ? fixedRun! : null) : e)), ...missing]
      .filter((e): e is string => e !== null)
      .map((e) => scalarText(e, undefined, Boolean(service.map.flow)));
    result.edits.push(addMapEntries(layout, service.map, [service.map.flow ? { key: 'tmpfs', value: `[${own.join(', ')}]` } : { key: 'tmpfs', value: null, items: own }], ctx.style));
    change('tmpfs-overridden', 'tmpfs came through a merge key shared with other services; set on the service with /run:exec', found.pair.key as Node);
    return result;
  }
  if (isScalar(value)) {
    if (typeof value.value !== 'string') return result;
    result.edits.push(...scalarToList(ctx, found.owner, found.pair, value, fixedRun, missing));
    if (fixedRun && fixedRun !== value.value) change('tmpfs-run-exec', `tmpfs ${value.value} became ${fixedRun}`, value);
    if (missing.length) change('tmpfs-to-list', 'tmpfs became a list', value);
    describeMissing();
    return result;
  }
  if (!isSeq(value)) return result;
  result.edits.push(...fixSequence(ctx, value, fixedRun, missing));
  if (fixedRun && runEntries.length > 1) change('tmpfs-run-merged', `merged ${runEntries.length} /run tmpfs entries into ${fixedRun}`, value);
  else if (fixedRun && fixedRun !== runEntries[0]) change('tmpfs-run-exec', `tmpfs ${runEntries[0]} became ${fixedRun}`, value);
  describeMissing();
  return result;
}

function blockOrFlow(ctx: ServiceContext, items: string[]) {
  return ctx.service.map.flow ? { key: 'tmpfs', value: `[${items.join(', ')}]` } : { key: 'tmpfs', value: null, items };
}

/**
 * `tmpfs: /tmp` → a list keeping `/tmp` (or the `/run` entry fixed in place when that is all).
 * It follows the style of `owner`, the map holding the pair (the service's, or a shared block's).
 */
function scalarToList(ctx: ServiceContext, owner: YAMLMap, pair: Pair, scalar: Scalar, fixedRun: string | null, missing: string[]): TextEdit[] {
  const { layout } = ctx;
  const inFlow = Boolean(owner.flow);
  const [start, end] = [scalar.range![0], scalar.range![1]];
  const own = fixedRun ? scalarText(fixedRun, scalar.type, inFlow || missing.length > 0) : layout.text.slice(start, end);
  if (missing.length === 0) return [replaceScalar(scalar, fixedRun!, inFlow)];
  if (inFlow) return [{ start, end, text: `[${[own, ...missing].join(', ')}]`, target: scalar }];
  const keyEnd = (pair.key as Node).range![1];
  const indent = ' '.repeat(layout.column((pair.key as Node).range![0]) + ctx.style.sequenceIndent);
  const after = layout.lineEnd(end);
  const tail = missing.map((m) => `${layout.eol}${indent}- ${m}`).join('');
  // The edits target the scalar: at the end of a file, its new items must come before keys
  // added to the service (inner edits first).
  return [
    { start: keyEnd, end: start, text: `:${layout.eol}${indent}- `, target: scalar },
    ...(fixedRun ? [{ start, end, text: own, target: scalar }] : []),
    { start: after, end: after, text: tail, target: scalar },
  ];
}

/**
 * `tmpfs:` with no value (or `~`): the entries go where the value was. The target is the null
 * scalar itself, so at the end of a file these lines come before keys added to the service.
 */
function fillNull(ctx: ServiceContext, owner: YAMLMap, pair: Pair, scalar: Scalar, missing: string[]): TextEdit[] {
  const { layout } = ctx;
  const [start, end] = [scalar.range![0], scalar.range![1]];
  if (owner.flow) return [{ start, end, text: `${start === end ? ' ' : ''}[${missing.join(', ')}]`, target: scalar }];
  const indent = ' '.repeat(layout.column((pair.key as Node).range![0]) + ctx.style.sequenceIndent);
  const after = layout.lineEnd(Math.max(end, (pair.key as Node).range![1]));
  const lines = missing.map((m) => `${layout.eol}${indent}- ${m}`).join('');
  return [...(start < end ? [{ start, end, text: '', target: scalar }] : []), { start: after, end: after, text: lines, target: scalar }];
}

/** Rewrites the first `/run` entry with exec, drops other `/run` entries, appends what is missing. */
function fixSequence(ctx: ServiceContext, seq: YAMLSeq, fixedRun: string | null, missing: string[]): TextEdit[] {
  const { layout, doc } = ctx;
  const edits: TextEdit[] = [];
  const remove = new Set<number>();
  let first = true;
  seq.items.forEach((item, index) => {
    const node = resolveNode(item, doc);
    const entry = stringValue(node);
    if (entry === null || tmpfsPath(entry) !== '/run') return;
    if (first && fixedRun && entry !== fixedRun) edits.push(replaceScalar(node as Scalar, fixedRun, Boolean(seq.flow)));
    if (!first) remove.add(index);
    first = false;
  });
  if (remove.size) edits.push(...(removeEntries(layout, seq, remove) ?? []));
  if (missing.length) edits.push(appendSequenceItems(layout, seq, missing));
  return edits;
}

/**
 * The service this one `extends` in the same file, with the tmpfs entries Compose will append
 * from it: its own (and its bases'), as the conversion leaves them when it converts it too.
 */
function extendedBase(ctx: ServiceContext, map = ctx.service.map, depth = 0): { name: string; tmpfs: string[] } | null {
  const { doc } = ctx;
  const ref = extendsRef(map, doc);
  const base = ref && ref.file === null ? ctx.sibling(ref.service) : undefined;
  if (!ref || !base || base.service.map === ctx.service.map || depth > 8) return null;
  const name = ref.service;
  let tmpfs = tmpfsEntries(base.service.map, doc);
  if (base.selected) {
    const runs = tmpfs.filter((e) => tmpfsPath(e) === '/run');
    tmpfs = [...tmpfs.filter((e) => tmpfsPath(e) !== '/run'), runs.length ? runEntryWithExec(runs) : '/run:exec'];
    for (const need of base.needs.tmpfs) if (!tmpfs.some((e) => tmpfsPath(e) === need.path)) tmpfs.push(tmpfsNeedEntry(need));
  }
  return { name, tmpfs: [...tmpfs, ...(extendedBase(ctx, base.service.map, depth + 1)?.tmpfs ?? [])] };
}

/** A needed entry as Compose writes it: `PATH` or `PATH:OPTIONS`. */
function tmpfsNeedEntry(need: TmpfsNeed): string {
  return need.options.length ? `${need.path}:${need.options.join(',')}` : need.path;
}

/** A long-syntax volume `{type: tmpfs, target: /run}`, which cannot be given exec. */
function tmpfsVolumeAtRun(ctx: ServiceContext): Node | null {
  const volumes = effectiveValue(ctx.service.map, 'volumes', ctx.doc);
  if (!isSeq(volumes)) return null;
  for (const item of volumes.items) {
    const volume = resolveNode(item, ctx.doc);
    if (!isMap(volume)) continue;
    const field = (name: string) => stringValue(ownValue(volume, name, ctx.doc));
    if (field('type') === 'tmpfs' && tmpfsPath(field('target') ?? '') === '/run') return volume;
  }
  return null;
}
