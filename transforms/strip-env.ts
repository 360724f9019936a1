import { isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { TextEdit } from '../src/plan/edits.js';
import { envEntryName } from '../src/model/service-values.js';
import type { EnvItem } from '../src/model/effective-service.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { nothing, refuse } from '../src/plan/transform.js';
import { removeEntries, removePair } from '../src/plan/yaml-edit.js';
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
 * line goes with it; an environment left empty is removed. Variables that come from a block
 * shared with services that keep them are left, with a warning.
 */
export function stripEnv(ctx: ServiceContext): TransformResult {
  const { service, doc } = ctx;
  const result = nothing();
  if (ctx.strip.empty) return result;
  const found = effectivePair(service.map, 'environment', doc);
  const env = found ? resolveNode(found.pair.value, doc) : null;
  if (!found || !(isSeq(env) || isMap(env))) return result;
  const removals = planRemovals(ctx, env);
  if (removals.length === 0) return result;
  const envLine = ctx.lineOf((found.pair.key as Node).range![0]);
  const shared = removals.filter((r) => !ctx.canEdit(r.collection));
  if (shared.length) {
    // Left with a warning: the service still runs read-only; the variable is ignored there.
    result.warnings.push({
      code: 'env-merged-shared',
      message: `${shared.flatMap((r) => r.names).join(', ')} come from a block shared (anchor or merge key) with services that keep them; remove them there or override environment on this service`,
      line: ctx.lineOf(shared[0]!.collection.range![0]),
    });
  }
  // An anchor on a removed entry that an alias uses elsewhere would leave that alias dangling.
  for (const removal of removals) {
    for (const index of removal.indices) {
      const item = removal.collection.items[index] as unknown;
      const anchored = (isPair(item) ? [item.key, item.value] : [item]).find((n): n is Node => isNode(n) && Boolean(n.anchor) && isAliased(doc, n));
      if (anchored) refuse(ctx, `${removal.names.join(', ')} cannot be removed: it carries the anchor &${anchored.anchor}, which an alias uses elsewhere; move the anchor first`, ctx.lineOf(anchored.range![0]));
    }
  }
  // A name also set in a shared block stays set whatever is removed here: it is not reported removed.
  // So is a name an extended base keeps (Compose merges the base's environment in by name).
  const kept = new Set([...shared.flatMap((r) => r.names), ...keptByExtendedBase(ctx, found.pair)]);
  const editable = removals.filter((r) => ctx.canEdit(r.collection)).map((r) => withoutNames(r, kept)).filter((r) => r.indices.size > 0);
  if (editable.length === 0) return result;
  const effective = isSeq(env) ? env.items.length : effectiveKeys(env, doc).size;
  const removedCount = editable.reduce((n, r) => n + r.indices.size, 0);
  const emptied = removedCount === effective && editable.length === 1 && editable[0]!.collection === env && !hasMergeKey(env);
  for (const removal of editable) {
    const edits = emptied ? removeEmptied(ctx, found.owner, env) : removeSome(ctx, removal);
    if (!edits) refuse(ctx, `could not remove ${removal.names.join(', ')} cleanly (an anchor or layout in the way)`, envLine);
    result.edits.push(...edits);
    for (const index of removal.indices) {
      const item = removal.collection.items[index] as unknown;
      const node = (isNode(item) ? item : (item as { key: Node }).key) as Node;
      result.changes.push({ code: 'env-removed', message: `removed ${names(ctx, removal.collection)[index]}`, line: ctx.lineOf(node.range![0]) });
    }
  }
  if (emptied && result.edits.length) result.changes.push({ code: 'env-emptied', message: 'removed environment, now empty', line: envLine });
  return result;
}

/**
 * Variables to strip that a same-file `extends` base up the chain sets itself (shadowed or not)
 * and does not remove in its own conversion: they stay set whatever is removed here.
 */
function keptByExtendedBase(ctx: ServiceContext, ownPair: Pair): string[] {
  const { service } = ctx;
  const tag = (ownPair.value as Node | null)?.tag;
  if (tag === '!reset' || tag === '!override') return [];
  const lsio = Boolean(service.imageRef?.lsioName);
  // A selected base of the same kind strips them with the same policy, where its conversion may
  // edit the environment holding them (a block shared with services that keep them stays).
  const strips = (base: string, entry: EnvItem) => {
    const sibling = ctx.sibling(base);
    return Boolean(sibling?.selected) && Boolean(sibling!.service.imageRef?.lsioName) === lsio && sibling!.canEdit(entry.field.value as Node) && sibling!.canEdit(holder(entry));
  };
  // The map holding a mapping entry: the environment's own, or a block merged into it.
  const holder = (entry: EnvItem): Node => {
    const env = entry.field.value;
    return (isMap(env) && pairsWithMerged(env, ctx.doc).find(({ pair }) => pair.key === entry.node)?.owner) || (env as Node);
  };
  const kept: string[] = [];
  for (let base = service.view.base; base; base = base.base) {
    kept.push(...base.environment.filter((e) => e.field.service === base!.name && ctx.strip.has(e.name) && !strips(base!.name, e)).map((e) => e.name));
  }
  return kept;
}

/** A removal less the entries setting one of `names`. */
function withoutNames(removal: Removal, names: ReadonlySet<string>): Removal {
  const pairs = [...removal.indices].map((index, i) => [index, removal.names[i]!] as const).filter(([, name]) => !names.has(name));
  return { collection: removal.collection, indices: new Set(pairs.map(([index]) => index)), names: pairs.map(([, name]) => name) };
}

/** The variable each entry of a collection sets (null for merge keys and odd entries). */
function names(ctx: ServiceContext, collection: YAMLMap | YAMLSeq): (string | null)[] {
  return isSeq(collection)
    ? collection.items.map((item) => envEntryName(resolveNode(item, ctx.doc)))
    : collection.items.map((pair) => (isMergeKey(pair) ? null : keyName(pair)));
}

/** Groups the entries to strip by the collection that holds them. */
function planRemovals(ctx: ServiceContext, env: YAMLMap | YAMLSeq): Removal[] {
  const byCollection = new Map<YAMLMap | YAMLSeq, Removal>();
  const add = (collection: YAMLMap | YAMLSeq, index: number, name: string) => {
    let removal = byCollection.get(collection);
    if (!removal) byCollection.set(collection, (removal = { collection, indices: new Set(), names: [] }));
    removal.indices.add(index);
    removal.names.push(name);
  };
  if (isSeq(env)) {
    names(ctx, env).forEach((name, index) => {
      if (name !== null && ctx.strip.has(name)) add(env, index, name);
    });
  } else {
    for (const { pair, owner } of pairsWithMerged(env, ctx.doc)) {
      const name = keyName(pair);
      if (name !== null && ctx.strip.has(name)) add(owner, owner.items.indexOf(pair), name);
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
  if (env.anchor || owner.items.length === 1 || uncovers || strandsLinesAfterBlockScalar(ctx, owner, pair, env)) return emptyInPlace(ctx, env);
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
  return region.split(/\r?\n/).slice(0, -1).some(strandable);
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
