import { isAlias, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { composeTag, tagStart } from '../src/parse/compose-tags.js';
import type { Change, Warning } from '../src/plan/diagnostics.js';
import type { TextEdit } from '../src/plan/edits.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { hasExec, splitTmpfsEntry, tmpfsOptions, tmpfsPath } from '../src/model/service-values.js';
import { inheritance, mountPath } from '../src/model/effective-service.js';
import type { EffectiveService } from '../src/model/effective-service.js';
import { isCovered, isRunEntry, mountedPaths, mountState, unknownTargetsAt } from '../src/model/targets.js';
import { nothing, refuse } from '../src/plan/transform.js';
import { listText } from './warn-helpers.js';
import type { TmpfsNeed } from '../src/knowledge/needs.js';
import { addMapEntries, appendSequenceItems, missingIndicator, removeEntries, replaceScalar, replaceWithCollection, scalarText, valueIndicator } from '../src/plan/yaml-edit.js';
import { contentEnd, keyName, pairHolding, resolveNode, stringValue } from '../src/parse/yaml-nodes.js';

/**
 * The one `/run` entry with `exec` that replaces `entries` (the `/run` entries of a list): the
 * engine uses the last one, so its options are kept, `noexec` turned into `exec`.
 */
export function runEntryWithExec(entries: readonly string[]): string {
  const last = entries[entries.length - 1] ?? '/run';
  const options: string[] = [];
  const optionKey = (o: string) => o.split('=')[0];
  for (const option of tmpfsOptions(last)) {
    const value = option === 'noexec' ? 'exec' : option;
    if (!options.some((o) => optionKey(o) === optionKey(value))) options.push(value);
  }
  if (!options.includes('exec')) options.push('exec');
  return `${splitTmpfsEntry(last).path.trim() || '/run'}:${options.join(',')}`;
}

const isRun = isRunEntry;

/**
 * Mounts what the image needs under a read-only root (`ctx.needs`): `/run` as a tmpfs with
 * `exec` for s6 images (their supervisor runs scripts there; Docker mounts tmpfs `noexec`),
 * without it for others, nothing where `/run` is not needed; and every further tmpfs path.
 * Reads the service as Compose builds it (merge keys, same-file `extends`): a path already
 * mounted (tmpfs, volume or bind, `/var/run` = `/run`) gets nothing more, and exactly one
 * `/run` results. Where no edit can reach that without changing another service, the file is
 * refused.
 */
export function tmpfsMounts(ctx: ServiceContext): TransformResult {
  const { service, layout } = ctx;
  const { view } = service;
  const result = nothing();
  const line = (node: Node | null) => ctx.lineOf((node ?? service.key).range![0]);
  const extendsLine = () => line((view.fields.get('extends')?.pair.key as Node | undefined) ?? null);
  // Something else already at /run (a volume, a bind, a tmpfs at /var/run, the same place):
  // a second mount there would make the engine refuse the container.
  // A tmpfs entry at /var/run is the /run entry (it takes exec like any); a bind or volume there
  // runs scripts too (seen on the engine), only a long-syntax tmpfs volume cannot carry exec.
  const runVolume = view.volumeMounts.find((v) => mountPath(v.path) === '/run');
  // A target known only at run time (`${RUN_DIR}`) may be /run: nothing is added at a path it may be.
  const unknownAt = new Map<string, string[]>();
  const unknownRun = runVolume || ctx.needs.run === 'none' ? [] : unknownTargetsAt(mountState(view), '/run');
  if (unknownRun.length) unknownAt.set('/run', unknownRun);
  if (runVolume?.kind === 'tmpfs' && ctx.needs.run === 'exec') {
    result.warnings.push({
      code: 'run-tmpfs-volume',
      message: '/run is a tmpfs volume in long syntax, which cannot carry exec (Compose gives it only size and mode); an s6 image needs `tmpfs: [/run:exec]` instead (left as it is)',
      // Written in another file (through extends): shown where this service extends it.
      line: runVolume.file === null ? line(runVolume.node) : extendsLine(),
    });
  }
  // The `tmpfs` of the service's own mapping (or a block merged into it); an extended base's
  // entries come first in Compose's list and are that service's to change.
  const local = view.fields.get('tmpfs')?.service === service.name ? view.fields.get('tmpfs')! : null;
  const localEntries = view.tmpfs.filter((t) => t.field === local).map((t) => t.entry);
  // `tmpfs: !reset …` (dropped by Compose, inherited entries too) is not in the view.
  const written = view.mapFields.get('tmpfs');
  const resetPair = local || !written || written.merged ? null : written.pair;
  const base = view.base && !resetPair && local?.value?.tag !== '!override' ? view.base : null;
  const inherited = base ? inheritedTmpfs(ctx, base) : [];
  const localRun = localEntries.filter(isRun);
  let fixedRun: string | null = null;
  let addRun: string | null = null;
  if (!runVolume && !unknownRun.length && ctx.needs.run !== 'none') {
    const inheritedRun = inherited.filter(isRun);
    // A base whose conversion adds /run gives it to this service too, next to its own.
    const addedByBase = base !== null && inheritedRun.length > base.tmpfs.filter((t) => isRun(t.entry)).length;
    if (inheritedRun.length && localRun.length && (ctx.needs.run === 'exec' || addedByBase)) {
      refuse(ctx, `it and ${base!.name}, which it extends, both mount /run: Compose appends both entries and the engine mounts /run twice; keep one`, extendsLine());
    }
    if (inheritedRun.length && ctx.needs.run === 'exec') {
      // A base in another file is converted there: ro-convert edits this file only.
      const convertBase = base!.file === null ? `select ${base!.name} too` : `convert it in ${base!.file} first`;
      if (inheritedRun.length > 1 || !hasExec(inheritedRun[0]!)) refuse(ctx, `${base!.name}, which it extends, mounts /run without exec; ${convertBase}`, extendsLine());
      result.warnings.push({ code: 'extends', message: `/run:exec comes from ${base!.name} through extends; none added here (Compose would mount /run twice)`, line: extendsLine() });
    } else if (!inheritedRun.length && ctx.needs.run === 'exec') {
      if (localRun.length === 0) addRun = '/run:exec';
      else if (localRun.length > 1 || runEntryWithExec(localRun) !== localRun[0]) fixedRun = runEntryWithExec(localRun);
    } else if (!inheritedRun.length && localRun.length === 0) addRun = '/run';
  }
  // What the base's own conversion adds is appended to this service's list too: not where this
  // service mounts something of its own.
  if (base) {
    const ownPaths = [...view.volumeMounts.map((v) => v.path), ...localEntries.map(tmpfsPath)].map(mountPath);
    const basePaths = base.tmpfs.map((t) => mountPath(tmpfsPath(t.entry)));
    const clash = inherited.find((entry) => !basePaths.includes(mountPath(tmpfsPath(entry))) && ownPaths.includes(mountPath(tmpfsPath(entry))));
    if (clash) refuse(ctx, `${base.name}, which it extends, gets tmpfs ${clash} from its conversion, and this service mounts ${tmpfsPath(clash)} itself: Compose would mount it twice`, extendsLine());
  }
  const missingNeeds = unmountedNeeds(ctx.needs.tmpfs, view, inherited).filter((need) => {
    const unknown = unknownTargetsAt(mountState(view), mountPath(need.path));
    if (unknown.length) unknownAt.set(need.path, unknown);
    return unknown.length === 0;
  });
  if (unknownAt.size) result.warnings.push(unknownTargetWarning(unknownAt, line(service.key)));
  if (!fixedRun && !addRun && missingNeeds.length === 0) return result;

  const missing = [...(addRun ? [addRun] : []), ...missingNeeds.map(tmpfsNeedEntry)];
  const change = (code: Change['code'], message: string, node: Node | null) => result.changes.push({ code, message, line: line(node) });
  const describeMissing = (where = '') => {
    if (addRun) change('tmpfs-added', `added tmpfs ${addRun}${where}`, (local?.pair.key as Node) ?? null);
    for (const need of missingNeeds) change('tmpfs-added', `added tmpfs ${tmpfsNeedEntry(need)}${where} (required by ${service.imageRef?.lsioName ?? 'the image'})`, (local?.pair.key as Node) ?? null);
  };
  if (resetPair) {
    // `tmpfs: !reset …` drops the key in Compose: the new list replaces it, tag and all
    // (`!override` where an extended base has a tmpfs of its own, so it is not appended).
    const value = resetPair.value as Node;
    const tag = service.view.base?.tmpfs.length ? '!override ' : '';
    result.edits.push({ start: tagStart(value, layout.text), end: contentEnd(value, layout.text), text: `${tag}[${missing.join(', ')}]`, target: service.map });
    describeMissing();
    return result;
  }
  if (!local) {
    // A cron sidecar merging its converted main service gets the main service's new list.
    const giver = ctx.receivesThroughMerge('tmpfs');
    if (!giver) result.edits.push(addMapEntries(layout, service.map, [blockOrFlow(ctx, missing)], ctx.style));
    describeMissing(giver ? ` to ${giver}, whose mapping it merges (<<)` : '');
    return result;
  }
  const value = local.value;
  // A scalar reached through an alias is changed where it is written (its own pair), unless
  // it is a sequence item there or others read it: then the service gets a list of its own.
  const holder = isScalar(value) && isAlias(local.pair.value) ? pairHolding(ctx.doc, value) : local;
  if (((isScalar(value) && value.value === null && ctx.canEdit(value)) || (local.pair.value === null && ctx.canEdit(local.owner))) && holder) {
    result.edits.push(...fillNull(ctx, holder.owner, holder.pair, value as Scalar | null, missing));
    describeMissing();
    return result;
  }
  if (!ctx.canEdit(value as Node) || !holder) {
    // The list comes from a block other services share: give this service its own.
    const own = [...localEntries.filter((e) => !isRun(e) || e === localRun[0]).map((e) => (isRun(e) && fixedRun ? fixedRun : e)), ...missing].map((e) =>
      scalarText(e, undefined, Boolean(service.map.flow)),
    );
    result.edits.push(
      local.merged
        ? addMapEntries(layout, service.map, [service.map.flow ? { key: 'tmpfs', value: `[${own.join(', ')}]` } : { key: 'tmpfs', value: null, items: own }], ctx.style)
        : replaceWithCollection(layout, local.owner, local.pair, own, ctx.style),
    );
    change('tmpfs-overridden', `tmpfs came from a block shared with other services (anchor or merge key); set on the service with ${[fixedRun ?? addRun, ...missingNeeds.map(tmpfsNeedEntry)].filter(Boolean).join(', ')}`, local.pair.key as Node);
    return result;
  }
  if (isScalar(value)) {
    if (typeof value.value !== 'string') return result;
    if (value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED') refuse(ctx, 'tmpfs is a block scalar (`tmpfs: |`); write it as a list to convert it', line(local.pair.key as Node));
    result.edits.push(...scalarToList(ctx, holder.owner, holder.pair, value, fixedRun, missing));
    if (fixedRun && fixedRun !== value.value) change('tmpfs-run-exec', `tmpfs ${value.value} became ${fixedRun}`, value);
    if (missing.length) change('tmpfs-to-list', 'tmpfs became a list', value);
    describeMissing();
    return result;
  }
  if (!isSeq(value)) return result;
  result.edits.push(...fixSequence(ctx, value, fixedRun, missing));
  if (fixedRun && localRun.length > 1) change('tmpfs-run-merged', `merged ${localRun.length} /run tmpfs entries into ${fixedRun} (the engine uses the last one's options)`, value);
  else if (fixedRun) change('tmpfs-run-exec', `tmpfs ${localRun[0]} became ${fixedRun}`, value);
  describeMissing();
  return result;
}

/** Paths the image needs that a target known only at run time may mount: nothing is added there. */
function unknownTargetWarning(unknownAt: ReadonlyMap<string, readonly string[]>, line: number): Warning {
  const paths = listText([...unknownAt.keys()]);
  const targets = listText([...new Set([...unknownAt.values()].flat())].map((t) => `\`${t}\``));
  return {
    code: 'mount-path-variable',
    message: `the image needs ${paths} mounted, and ${targets} (a variable without a default) may be ${unknownAt.size > 1 ? 'one of them' : 'it'} at run time: nothing added there (a second mount at one path stops the container); give the variable a default (\${VAR:-/path}) or check what it mounts`,
    line,
  };
}

/** The needed tmpfs entries whose path nothing mounts yet (own or inherited entries, volumes). */
function unmountedNeeds(needs: readonly TmpfsNeed[], view: EffectiveService, inherited: readonly string[]): TmpfsNeed[] {
  // Most images need no tmpfs beyond /run: no list of mounted paths is made for them.
  if (needs.length === 0) return [];
  const mounted = [...mountedPaths(mountState(view)), ...inherited.map((entry) => mountPath(tmpfsPath(entry)))];
  return needs.filter((need) => !isCovered(mounted, mountPath(need.path)));
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
  const colon = valueIndicator(layout, pair)!;
  const indent = ' '.repeat(layout.column((pair.key as Node).range![0]) + ctx.style.sequenceIndent);
  const after = layout.lineEnd(end);
  const tail = missing.map((m) => `${layout.eol}${indent}- ${m}`).join('');
  // The edits target the scalar: at the end of a file, its new items must come before keys
  // added to the service (inner edits first).
  return [
    // An anchor on the scalar moves to the new list, so its aliases keep a target.
    { start: colon, end: start, text: `:${scalar.anchor ? ` &${scalar.anchor}` : ''}${layout.eol}${indent}- `, target: scalar },
    ...(fixedRun ? [{ start, end, text: own, target: scalar }] : []),
    { start: after, end: after, text: tail, target: scalar },
  ];
}

/**
 * `tmpfs:` with no value (or `~`): the entries go where the value was. The target is the null
 * scalar itself (the key where there is none: `? tmpfs` alone gets its `:` too), so at the end
 * of a file these lines come before keys added to the service.
 */
function fillNull(ctx: ServiceContext, owner: YAMLMap, pair: Pair, scalar: Scalar | null, missing: string[]): TextEdit[] {
  const { layout } = ctx;
  if (scalar === null) {
    const key = pair.key as Node;
    const at = owner.flow ? key.range![1] : layout.lineEnd(key.range![1]);
    const items = owner.flow ? ` [${missing.join(', ')}]` : missing.map((m) => `${layout.eol}${' '.repeat(layout.column(key.range![0]) + ctx.style.sequenceIndent)}- ${m}`).join('');
    return [{ start: at, end: at, text: `${missingIndicator(layout, owner, pair)}${items}`, target: key }];
  }
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
    if (entry === null || !isRun(entry)) return;
    if (first && fixedRun && entry !== fixedRun) {
      // An alias item is replaced in this list, not at its anchor: other lists may read the anchor
      // and need another /run there (or none).
      edits.push(isAlias(item) ? { start: item.range![0], end: item.range![1], text: scalarText(fixedRun, undefined, Boolean(seq.flow)), target: seq } : replaceScalar(node as Scalar, fixedRun, Boolean(seq.flow)));
    }
    if (!first && fixedRun) remove.add(index);
    first = false;
  });
  if (remove.size) edits.push(...(removeEntries(layout, seq, remove) ?? []));
  if (missing.length) edits.push(appendSequenceItems(layout, seq, missing));
  return edits;
}

/**
 * The tmpfs entries Compose appends from an extended base, as the conversion leaves them: a
 * selected base gets its own target (one `/run`, its needs) from its own plan, on top of what
 * its own base gives it in turn.
 */
function inheritedTmpfs(ctx: ServiceContext, base: EffectiveService): string[] {
  const sibling = ctx.sibling(base.name);
  if (!sibling?.selected) return base.tmpfs.map((t) => t.entry);
  const own = base.tmpfs.filter((t) => t.field.service === base.name).map((t) => t.entry);
  const entries = [...(base.base && inheritsTmpfs(base, ctx.doc) ? inheritedTmpfs(ctx, base.base) : []), ...own];
  const { needs } = sibling;
  const runs = entries.filter(isRun);
  // Something else at /run (a volume, a tmpfs at /var/run, a target known only at run time that
  // may be /run) gets no tmpfs there, as in tmpfsMounts; nor does a need a run-time target may be.
  const unknownAt = (path: string) => unknownTargetsAt(mountState(base), path).length > 0;
  const runElsewhere = base.volumeMounts.some((v) => mountPath(v.path) === '/run') || (needs.run !== 'none' && unknownAt('/run'));
  const converted = runElsewhere ? entries : needs.run === 'exec' ? [...entries.filter((e) => !isRun(e)), runs.length ? runEntryWithExec(runs) : '/run:exec'] : needs.run === 'plain' && !runs.length ? [...entries, '/run'] : entries;
  const mounted = [...converted.map(tmpfsPath), ...base.volumeMounts.map((v) => v.path)].map(mountPath);
  return [...converted, ...needs.tmpfs.filter((need) => !mounted.includes(mountPath(need.path)) && !unknownAt(mountPath(need.path))).map(tmpfsNeedEntry)];
}

/** Whether a service's tmpfs list starts with its base's (Compose's extends rule: not `!reset` or `!override`). */
function inheritsTmpfs(service: EffectiveService, doc: Document): boolean {
  const own = service.map.items.find((pair) => keyName(pair) === 'tmpfs');
  return inheritance('tmpfs', own !== undefined, composeTag(own?.value, doc), true).inherits;
}

/** A needed entry as Compose writes it: `PATH` or `PATH:OPTIONS`. */
export function tmpfsNeedEntry(need: TmpfsNeed): string {
  return need.options.length ? `${need.path}:${need.options.join(',')}` : need.path;
}
