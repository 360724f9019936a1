import { isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Change } from '../src/plan/diagnostics.js';
import type { TextEdit } from '../src/plan/edits.js';
import type { EffectivePair } from '../src/parse/yaml-nodes.js';
import { envEntryName } from '../src/model/service-values.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { nothing, refuse } from '../src/plan/transform.js';
import { addMapEntries, removeEntries, removePair, replaceWithCollection, scalarText } from '../src/plan/yaml-edit.js';
import { keptThroughExtends } from './extends-env.js';
import { isReset } from '../src/parse/compose-tags.js';
import { listText } from './warn-helpers.js';
import { contentEnd, effectiveKeys, effectivePair, isAliased, isMergeKey, keyName, mergeSources, pairsWithMerged, resolveNode } from '../src/parse/yaml-nodes.js';

/** Entries to remove from one collection (the environment, or a map merged into it). */
interface Removal {
  collection: YAMLMap | YAMLSeq;
  indices: Set<number>;
  names: string[];
}

/**
 * Removes the variables that a read-only LinuxServer container ignores (PUID, PGID, UMASK,
 * DOCKER_MODS…, as chosen in `ctx.strip`) from `environment`, in list, mapping and flow form,
 * including variables merged into a mapping with `<<: *anchor`. A comment on a removed entry's
 * line goes with it; an environment left empty is removed. Where variables come from a block
 * shared with services that keep them, the block stays and the service gets the variables it
 * keeps as its own (see {@link ownEnvironment}, {@link unmergeEnvironment}). A variable a
 * same-file `extends` base keeps stays, with the `extends` warning saying why.
 */
export function stripEnv(ctx: ServiceContext): TransformResult {
  const { service, doc } = ctx;
  const result = nothing();
  if (ctx.strip.empty) return result;
  const found = service.view.mapFields.get('environment');
  const env = found ? found.value : null;
  if (!found || !(isSeq(env) || isMap(env))) return result;
  const keptByBase = new Set(keptThroughExtends(ctx).map((e) => e.name));
  const strips = (name: string | null): name is string => name !== null && ctx.strip.has(name) && !keptByBase.has(name);
  const removals = planRemovals(ctx, env, strips);
  if (removals.length === 0) return result;
  if (removals.some((r) => !ctx.canEdit(r.collection))) {
    if (isMap(env) && ctx.canEdit(env)) return unmergeEnvironment(ctx, found, env, removals, strips);
    if (found.merged || isAlias(found.pair.value)) return ownEnvironment(ctx, found, env, removals, strips);
    const names = listText([...new Set(removals.flatMap((r) => r.names))]);
    if (env.anchor) refuse(ctx, `its environment carries the anchor &${env.anchor}, which services that keep ${names} read too, through aliases no copy of the block can replace (several aliases deep, an anchor inside the block, or a block with comments or nested lists going into a flow collection): it cannot lose ${names} there; move the block under an x- key and alias it from each service`, ctx.lineOf((found.pair.key as Node).range![0]));
    // Otherwise the service's mapping itself is shared: the planner refuses the edits below.
  }
  refuseAnchoredEntries(ctx, removals);
  const envLine = ctx.lineOf((found.pair.key as Node).range![0]);
  const effective = isSeq(env) ? env.items.length : effectiveKeys(env, doc).size;
  const removedCount = removals.reduce((n, r) => n + r.indices.size, 0);
  const emptied = removedCount === effective && removals.length === 1 && removals[0]!.collection === env && !hasMergeKey(env);
  for (const removal of removals) {
    const edits = emptied ? removeEmptied(ctx, found.owner, env) : removeSome(ctx, removal);
    if (!edits) refuse(ctx, `could not remove ${removal.names.join(', ')} cleanly (an anchor or layout in the way)`, envLine);
    result.edits.push(...edits);
  }
  result.changes.push(...removedChanges(ctx, removals));
  if (emptied && result.edits.length) result.changes.push({ code: 'env-emptied', message: 'removed environment, now empty', line: envLine });
  return result;
}

/** An anchor on a removed entry that an alias uses elsewhere would leave that alias dangling. */
function refuseAnchoredEntries(ctx: ServiceContext, removals: readonly Removal[]): void {
  for (const removal of removals) {
    for (const index of removal.indices) {
      const item = removal.collection.items[index] as unknown;
      const anchored = (isPair(item) ? [item.key, item.value] : [item]).find((n): n is Node => isNode(n) && Boolean(n.anchor) && isAliased(ctx.doc, n));
      if (anchored) refuse(ctx, `${removal.names.join(', ')} cannot be removed: it carries the anchor &${anchored.anchor}, which an alias uses elsewhere; move the anchor first`, ctx.lineOf(anchored.range![0]));
    }
  }
}

/** One `env-removed` change per removed entry, at the entry's line. */
function removedChanges(ctx: ServiceContext, removals: readonly Removal[]): Change[] {
  return removals.flatMap((removal) =>
    [...removal.indices].map((index): Change => {
      const item = removal.collection.items[index] as unknown;
      const node = (isNode(item) ? item : (item as { key: Node }).key) as Node;
      return { code: 'env-removed', message: `removed ${names(ctx, removal.collection)[index]}`, line: ctx.lineOf(node.range![0]) };
    }),
  );
}

/** The `env-overridden` change: where the stripped variables came from, and what took their place. */
function overriddenChange(ctx: ServiceContext, removals: readonly Removal[], found: EffectivePair, what: string): Change {
  const shared = removals.filter((r) => !ctx.canEdit(r.collection));
  const names = [...new Set(shared.flatMap((r) => r.names))];
  const one = names.length === 1;
  return {
    code: 'env-overridden',
    message: `${listText(names)} ${one ? 'comes' : 'come'} from a block (line ${ctx.lineOf(shared[0]!.collection.range![0])}) shared, through an anchor or merge key, with services that keep ${one ? 'it' : 'them'}; ${what}`,
    line: ctx.lineOf((found.pair.key as Node).range![0]),
  };
}

/**
 * The service's `environment` comes from a block other services share (merged into the service
 * with `<<`, or an alias): the service gets an `environment` of its own, in the same form, holding
 * the entries it keeps (a key of the service's own wins over merged ones; the block stays as it
 * is). It replaces an alias in place, or goes at the end of the service like any added key.
 */
function ownEnvironment(ctx: ServiceContext, found: EffectivePair, env: YAMLMap | YAMLSeq, removals: readonly Removal[], strips: (name: string | null) => boolean): TransformResult {
  const { service, layout } = ctx;
  const mapping = isMap(env);
  const inFlow = Boolean(service.map.flow);
  const entries = mapping
    ? [...effectiveKeys(env, ctx.doc)].filter(([name]) => !strips(name)).map(([, { pair }]) => pairText(ctx, pair, inFlow))
    : env.items.filter((item) => !strips(envEntryName(resolveNode(item, ctx.doc)))).map((item) => copiedText(ctx, item, inFlow));
  const edit =
    found.owner === service.map
      ? replaceWithCollection(layout, service.map, found.pair, entries, ctx.style, mapping)
      : addMapEntries(layout, service.map, [{ key: 'environment', value: entries.length ? null : mapping ? '{}' : '[]', ...(mapping ? { pairs: entries } : { items: entries }) }], ctx.style);
  return { edits: [edit], changes: [...removedChanges(ctx, removals), overriddenChange(ctx, removals, found, 'the service now has its own environment with the variables it keeps')], warnings: [] };
}

/**
 * The service's own `environment` mapping merges (`<<`) a block that services keeping the
 * variables share: the merge key gives way, in place, to the merged variables the service keeps,
 * as written in the block; its own entries and comments stay.
 */
function unmergeEnvironment(ctx: ServiceContext, found: EffectivePair, env: YAMLMap, removals: readonly Removal[], strips: (name: string | null) => boolean): TransformResult {
  const { layout } = ctx;
  const merges = env.items.filter(isMergeKey);
  const anchored = merges.find((pair) => isNode(pair.value) && pair.value.anchor);
  if (anchored) refuse(ctx, `its environment merges a block written there with the anchor &${(anchored.value as Node).anchor}, which other services read; the merge key cannot give way`, ctx.lineOf((anchored.key as Node).range![0]));
  const own = removals.filter((r) => r.collection === env);
  refuseAnchoredEntries(ctx, own);
  const merged = [...effectiveKeys(env, ctx.doc)].filter(([name, { owner }]) => owner !== env && !strips(name)).map(([, { pair }]) => pairText(ctx, pair, Boolean(env.flow)));
  const ownLeft = env.items.filter((pair) => !isMergeKey(pair)).length - own.reduce((n, r) => n + r.indices.size, 0);
  const edits: TextEdit[] = [];
  if (merged.length === 0 && ownLeft === 0) {
    const emptied = removeEmptied(ctx, found.owner, env);
    if (!emptied) refuse(ctx, 'could not remove its environment cleanly (an anchor or layout in the way)', ctx.lineOf((found.pair.key as Node).range![0]));
    edits.push(...emptied);
  } else {
    const [first, ...others] = merges;
    const firstKey = first!.key as Node;
    const gone = new Set([...own.flatMap((r) => [...r.indices]), ...(merged.length ? others : merges).map((pair) => env.items.indexOf(pair))]);
    const removed = removeEntries(layout, env, gone);
    if (!removed) refuse(ctx, 'could not remove the merge key from its environment cleanly', ctx.lineOf(firstKey.range![0]));
    edits.push(...removed);
    const separator = env.flow ? ', ' : `${layout.eol}${' '.repeat(layout.column(firstKey.range![0]))}`;
    if (merged.length) edits.push({ start: firstKey.range![0], end: contentEnd(first!.value as Node, layout.text), text: merged.join(separator), target: env });
  }
  const what = merged.length ? 'the merge key gave way to the variables of the block the service keeps' : 'the merge key is removed (the service keeps none of the block\'s variables)';
  return { edits, changes: [...removedChanges(ctx, removals), overriddenChange(ctx, removals, found, what)], warnings: [] };
}

/** `KEY: value` of a mapping entry, to write into another mapping. */
function pairText(ctx: ServiceContext, pair: Pair, inFlow: boolean): string {
  const value = pair.value as Node | null;
  const empty = !value || (isScalar(value) && value.value === null && value.range![0] === value.range![1]);
  return `${copiedText(ctx, pair.key, inFlow)}:${empty ? '' : ` ${copiedText(ctx, value, inFlow)}`}`;
}

/**
 * A scalar or alias as written, to copy elsewhere in the file: kept as written when it is one
 * line that reads the same there (no tag, no flow indicator going into a flow collection);
 * else its value, quoted. An anchor is not copied (the original keeps it).
 */
function copiedText(ctx: ServiceContext, node: unknown, inFlow: boolean): string {
  const { text } = ctx.layout;
  if (isAlias(node)) return text.slice(node.range![0], node.range![1]);
  if (!isScalar(node)) return refuse(ctx, 'an environment entry is not a scalar, so it cannot be copied into the service', isNode(node) ? ctx.lineOf(node.range![0]) : null);
  const written = text.slice(node.range![0], node.range![1]);
  const asWritten = !/[\r\n]/.test(written) && !node.tag && !(inFlow && node.type === 'PLAIN' && /[,[\]{}]/.test(written));
  return asWritten ? written : scalarText(String(node.value), undefined, inFlow);
}

/** The variable each entry of a collection sets (null for merge keys and odd entries). */
function names(ctx: ServiceContext, collection: YAMLMap | YAMLSeq): (string | null)[] {
  return isSeq(collection)
    ? collection.items.map((item) => envEntryName(resolveNode(item, ctx.doc)))
    : collection.items.map((pair) => (isMergeKey(pair) ? null : keyName(pair)));
}

/** Groups the entries to strip by the collection that holds them. */
function planRemovals(ctx: ServiceContext, env: YAMLMap | YAMLSeq, strips: (name: string | null) => name is string): Removal[] {
  const byCollection = new Map<YAMLMap | YAMLSeq, Removal>();
  const add = (collection: YAMLMap | YAMLSeq, index: number, name: string) => {
    let removal = byCollection.get(collection);
    if (!removal) byCollection.set(collection, (removal = { collection, indices: new Set(), names: [] }));
    removal.indices.add(index);
    removal.names.push(name);
  };
  // A `!reset` entry sets nothing in this file and, in an override file, unsets the variable: it stays.
  if (isSeq(env)) {
    names(ctx, env).forEach((name, index) => {
      if (strips(name) && !isReset(env.items[index], ctx.doc)) add(env, index, name);
    });
  } else {
    for (const { pair, owner } of pairsWithMerged(env, ctx.doc)) {
      const name = keyName(pair);
      if (strips(name) && !isReset(pair.value, ctx.doc)) add(owner, owner.items.indexOf(pair), name);
    }
  }
  return [...byCollection.values()];
}

function hasMergeKey(collection: YAMLMap | YAMLSeq): boolean {
  return isMap(collection) && collection.items.some(isMergeKey);
}

/** Removes some entries; a merged map that loses all its keys stays as `{}` (it is still merged). */
function removeSome(ctx: ServiceContext, removal: Removal): TextEdit[] | null {
  const { collection, indices } = removal;
  if (indices.size === collection.items.length) return emptyInPlace(ctx, collection);
  return removeEntries(ctx.layout, collection, indices);
}

/** Removes an emptied `environment` pair, or empties it in place where removing is unsafe. */
function removeEmptied(ctx: ServiceContext, owner: YAMLMap, env: YAMLMap | YAMLSeq): TextEdit[] | null {
  const pair = owner.items.find((p) => resolveNode(p.value, ctx.doc) === env && keyName(p) === 'environment');
  if (!pair) return null;
  // Kept as an empty collection where removing the key would drop an anchor other aliases use,
  // leave the map with no keys, uncover an `environment` merged in with `<<`, or strand lines.
  // An anchored map may be merged somewhere, after which a later merge source may hold an
  // `environment` too (decided from the map alone, so every service reading it plans alike).
  const uncovers = Boolean(owner.anchor) || owner.items.some((p) => isMergeKey(p) && mergeSources(p, ctx.doc).some((m) => effectivePair(m, 'environment', ctx.doc)));
  // An emptied `environment: !override` still replaces the earlier files' environment (Compose
  // 2.26: `!override []` leaves none); without the key, theirs would come back.
  const overrides = env.tag === '!override';
  if (env.anchor || owner.items.length === 1 || overrides || uncovers || strandsLinesAfterBlockScalar(ctx, owner, pair, env)) return emptyInPlace(ctx, env);
  return removePair(ctx.layout, owner, pair);
}

/**
 * Removing the pair keeps its own-line comments and blank lines; right after a block scalar
 * (`command: |`) they would become part of its text. Then the key stays, as `environment: []`,
 * to end the scalar.
 */
function strandsLinesAfterBlockScalar(ctx: ServiceContext, owner: YAMLMap, pair: Pair, env: YAMLMap | YAMLSeq): boolean {
  const index = owner.items.indexOf(pair);
  const previous = index > 0 ? owner.items[index - 1] : undefined;
  if (!previous || !endsWithBlockScalar(previous.value)) return false;
  const { layout } = ctx;
  const { text } = layout;
  // The pair's lines, and the blank and comment lines after it, up to the next key.
  const strandable = (line: string) => /^\s*(#.*)?$/.test(line);
  let end = layout.nextLineStart(contentEnd(env, text));
  while (end < text.length && strandable(text.slice(end, layout.lineEnd(end)))) end = layout.nextLineStart(end);
  const region = text.slice(layout.lineStart((pair.key as Node).range![0]), end);
  const lines = region.split(/\r?\n/);
  // The last line has no line break at the end of a file without a final newline.
  if (region.endsWith('\n')) lines.pop();
  return lines.some(strandable);
}

function endsWithBlockScalar(node: unknown): boolean {
  let last = node;
  while ((isMap(last) || isSeq(last)) && !last.flow && last.items.length > 0) {
    const item = last.items[last.items.length - 1] as unknown;
    last = isMap(last) ? ((item as Pair).value ?? (item as Pair).key) : item;
  }
  return isScalar(last) && (last.type === 'BLOCK_LITERAL' || last.type === 'BLOCK_FOLDED');
}

/** Replaces a collection's content with `[]` or `{}`, keeping its anchor and own-line comments. */
function emptyInPlace(ctx: ServiceContext, collection: YAMLMap | YAMLSeq): TextEdit[] | null {
  const empty = isSeq(collection) ? '[]' : '{}';
  if (collection.flow) return [{ start: collection.range![0], end: collection.range![1], text: empty, target: collection }];
  // A block collection starts below its key (and anchor), perhaps after blank or comment
  // lines: the `{}` goes at the end of the key's line, before any comment there.
  const { layout } = ctx;
  const { text } = layout;
  let keyLineEnd = layout.lineEnd(layout.lineStart(collection.range![0]) - 1);
  while (keyLineEnd > 0 && /^\s*(#.*)?$/.test(text.slice(layout.lineStart(keyLineEnd), keyLineEnd))) keyLineEnd = layout.lineEnd(layout.lineStart(keyLineEnd) - 1);
  const keyLine = text.slice(layout.lineStart(keyLineEnd), keyLineEnd);
  const comment = keyLine.search(/\s#/);
  const at = comment < 0 ? keyLineEnd : keyLineEnd - keyLine.length + comment;
  const removals = removeEntries(layout, collection, new Set(collection.items.keys()));
  return removals && [{ start: at, end: at, text: ` ${empty}`, target: collection }, ...removals];
}
