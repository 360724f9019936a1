import { isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import type { Alias, Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import { isReset } from './compose-tags.js';

/** Merge chains deeper than this are not followed (they would be a hostile file). */
const MAX_MERGE_DEPTH = 32;

const aliasIndexes = new WeakMap<Document, Map<Alias, Node | null>>();

/**
 * Every alias of a document with the node it points to (null for an undefined anchor), from
 * one walk in document order. `yaml`'s own `Alias.resolve` walks the whole document on
 * every call, which made files with aliases quadratic.
 */
export function aliasTargets(doc: Document): Map<Alias, Node | null> {
  let index = aliasIndexes.get(doc);
  if (!index) {
    index = new Map();
    const anchors = new Map<string, Node>();
    const stack: unknown[] = [doc.contents];
    while (stack.length) {
      const node = stack.pop();
      if (isAlias(node)) {
        index.set(node, anchors.get(node.source) ?? null);
        continue;
      }
      if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
      if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
      else if (isPair(node)) stack.push(node.value, node.key);
    }
    aliasIndexes.set(doc, index);
  }
  return index;
}

/** Whether some alias of the document points to `node`. */
export function isAliased(doc: Document, node: Node): boolean {
  for (const target of aliasTargets(doc).values()) if (target === node) return true;
  return false;
}

/** The map pair whose value is `node` itself (where it is written), or null (a sequence item, the root). */
export function pairHolding(doc: Document, node: Node): { pair: Pair; owner: YAMLMap } | null {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const current = stack.pop();
    if (isMap(current)) {
      for (const pair of current.items) {
        if (pair.value === node) return { pair, owner: current };
        stack.push(pair.value);
      }
    } else if (isSeq(current)) stack.push(...current.items);
  }
  return null;
}

/** The node an alias points to; any other node as it is. Never expands anything. */
export function resolveNode(node: unknown, doc: Document): Node | null {
  if (isAlias(node)) return aliasTargets(doc).get(node) ?? null;
  return (node as Node | null) ?? null;
}

/** A pair's key as a string (`80: x` gives "80"), or null for complex keys. */
export function keyName(pair: Pair): string | null {
  const key = pair.key;
  // Under `%YAML 1.1` the parser gives a plain `<<` key the value Symbol(<<).
  if (isScalar(key)) return key.value === null ? '' : typeof key.value === 'symbol' ? '<<' : String(key.value);
  return null;
}

/** True for a YAML merge key `<<` (a quoted "<<" is an ordinary key). */
export function isMergeKey(pair: Pair): boolean {
  return isScalar(pair.key) && (pair.key.value === '<<' || typeof pair.key.value === 'symbol') && pair.key.type === 'PLAIN';
}

/** The maps a merge pair's value names: `<<: *a` or `<<: [*a, *b]`, in priority order, tagged ones included. */
export function mergedMaps(pair: Pair, doc: Document): YAMLMap[] {
  const value = resolveNode(pair.value, doc);
  const items = isSeq(value) ? value.items.map((item) => resolveNode(item, doc)) : [value];
  return items.filter((item): item is YAMLMap => isMap(item));
}

/** The maps a merge pair merges, in priority order: a `!reset` one merges nothing, as Compose v2 reads it (`docker compose config` 2.26). */
export function mergeSources(pair: Pair, doc: Document): YAMLMap[] {
  return mergedMaps(pair, doc).filter((map) => !isReset(map, doc));
}

/** Where a key's effective value comes from: the map itself, or a map merged into it. */
export interface EffectivePair {
  pair: Pair;
  /** The map that holds `pair`: the service's own map, or a merged (anchored) map. */
  owner: YAMLMap;
  merged: boolean;
}

/**
 * The value a key has in `map` after merge keys (`<<`) are applied: an own key wins;
 * among merged maps the first listed wins, as in YAML's merge-key rules and Compose.
 */
export function effectivePair(map: YAMLMap, key: string, doc: Document, depth = 0): EffectivePair | null {
  for (const pair of map.items) {
    if (!isMergeKey(pair) && keyName(pair) === key) return { pair, owner: map, merged: depth > 0 };
  }
  if (depth >= MAX_MERGE_DEPTH) return null;
  for (const pair of map.items) {
    if (!isMergeKey(pair)) continue;
    for (const source of mergeSources(pair, doc)) {
      const found = effectivePair(source, key, doc, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** The node `key` has in `map` after merge keys and aliases, or null. */
export function effectiveValue(map: YAMLMap, key: string, doc: Document): Node | null {
  return resolveNode(effectivePair(map, key, doc)?.pair.value, doc);
}

/** The node of `key` among the map's own pairs (merge keys not followed), aliases resolved. */
export function ownValue(map: YAMLMap, key: string, doc: Document): Node | null {
  return resolveNode(map.items.find((pair) => keyName(pair) === key)?.value, doc);
}

/** Every key of `map` after merges, each with its effective pair, in first-seen order. */
export function effectiveKeys(map: YAMLMap, doc: Document): Map<string, EffectivePair> {
  return effectiveEntries(map, doc, (pair, owner, merged) => ({ pair, owner, merged }));
}

/**
 * {@link effectiveKeys} with each entry made by `entry` from its pair, the map holding it,
 * whether it is merged, and its key: a caller that keeps more per key builds one object, not two.
 */
export function effectiveEntries<T>(map: YAMLMap, doc: Document, entry: (pair: Pair, owner: YAMLMap, merged: boolean, name: string) => T): Map<string, T> {
  const out = new Map<string, T>();
  const visit = (m: YAMLMap, depth: number) => {
    let merges = false;
    for (const pair of m.items) {
      if (isMergeKey(pair)) {
        merges = true;
        continue;
      }
      const name = keyName(pair);
      if (name !== null && !out.has(name)) out.set(name, entry(pair, m, depth > 0, name));
    }
    // Most maps merge nothing: their pairs are not walked a second time.
    if (!merges || depth >= MAX_MERGE_DEPTH) return;
    for (const pair of m.items) {
      if (isMergeKey(pair)) for (const source of mergeSources(pair, doc)) visit(source, depth + 1);
    }
  };
  visit(map, 0);
  return out;
}

/**
 * Every key of `map` and of the maps merged into it, shadowed ones included, each with the map
 * that holds it: removing a key from the map itself can uncover a merged one of the same name.
 */
export function pairsWithMerged(map: YAMLMap, doc: Document): { pair: Pair; owner: YAMLMap }[] {
  const out: { pair: Pair; owner: YAMLMap }[] = [];
  const seen = new Set<YAMLMap>();
  const visit = (m: YAMLMap, depth: number) => {
    if (seen.has(m) || depth > MAX_MERGE_DEPTH) return;
    seen.add(m);
    for (const pair of m.items) {
      if (isMergeKey(pair)) for (const source of mergeSources(pair, doc)) visit(source, depth + 1);
      else out.push({ pair, owner: m });
    }
  };
  visit(map, 0);
  return out;
}

/** A string scalar's value, or null for anything else. */
export function stringValue(node: unknown): string | null {
  return isScalar(node) && typeof node.value === 'string' ? node.value : null;
}

/**
 * The offset just past the last character that belongs to `node`'s content: for a block
 * collection, that of its last item; trailing comments and line breaks are not content.
 */
export function contentEnd(node: Node, text: string): number {
  let last: Node = node;
  for (;;) {
    if ((isMap(last) || isSeq(last)) && !last.flow && last.items.length > 0) {
      const item = last.items[last.items.length - 1] as unknown;
      if (isMap(last)) {
        const pair = item as Pair;
        last = ((pair.value as Node | null) ?? (pair.key as Node));
      } else last = item as Node;
      continue;
    }
    break;
  }
  let end = last.range![1];
  if (isScalar(last) && (last.type === 'BLOCK_LITERAL' || last.type === 'BLOCK_FOLDED') && /^[|>][0-9]*\+/.test(text.slice(last.range![0], end))) {
    // Keep chomping (`|+`): trailing blank lines are part of the value, so only the
    // final line break is not content.
    if (text[end - 1] === '\n') end -= text[end - 2] === '\r' ? 2 : 1;
    return end;
  }
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end;
}

/** True when `scalar` holds a Compose variable reference such as `${READ_ONLY}` or `$X`. */
export function hasVariable(scalar: Scalar): boolean {
  return isInterpolated(scalar.value);
}

/** A string with Compose interpolation (`${VAR}`, `$VAR`). */
export function isInterpolated(value: unknown): boolean {
  return typeof value === 'string' && /\$(\{|[A-Za-z_])/.test(value);
}
