import { isAlias, isMap, isSeq } from 'yaml';
import type { Alias, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { ParsedCompose } from '../parse/parse.js';
import { effectiveKeys, isMergeKey, keyName, mergeSources, resolveNode } from '../parse/yaml-nodes.js';
import { isReset } from '../parse/compose-tags.js';

/**
 * Who reads each node: a service (`service:NAME`) or another top-level key (`top:KEY`).
 * Without aliases every node has one reader; anchors, aliases and merge keys let one
 * node feed several, and an edit there changes all of them.
 */
export interface Sharing {
  /** The readers of `node`; empty for nodes nobody reads (an unused `x-*` block). */
  readersOf(node: Node): readonly string[];
  /**
   * How `reader` reaches `node`: `own` when no alias or merge key leads there (the node is
   * written in the reader's own mapping), the one alias it passes through when there is exactly
   * one on every way there, `many` otherwise; null when the reader does not read the node.
   */
  wayTo(node: Node, reader: string): Way | null;
}

/** An alias on the way from a reader to a node, with what holds it: a map's pair, or a list. */
export interface AliasWay {
  alias: Alias;
  owner: YAMLMap | YAMLSeq;
  /** The pair whose value is the alias (a merge key's too); null for an item of a list. */
  pair: Pair | null;
}

export type Way = 'own' | AliasWay | 'many';

/** Reader id of a service. */
export const serviceReader = (name: string) => `service:${name}`;

/**
 * Maps every node to its readers: the file's services (as located, `x-*` keys left out) and
 * its other top-level keys. A merged map's keys that the merging map overrides
 * are not read through that merge. Each reader visits a node at most twice (a second way
 * there makes it `many`), so the cost stays
 * linear even in an alias bomb. Returns null when the document has no alias at all
 * (then nothing is shared and no analysis is needed).
 */
export function analyzeSharing(parsed: ParsedCompose, services: readonly { name: string; map: YAMLMap }[]): Sharing | null {
  const { doc, root } = parsed;
  if (!parsed.hasAliases) return null;
  // Most nodes have one reader: it is kept as it is, and a list made for a second one.
  const readers = new Map<Node, string | string[]>();
  // How each reader reaches a node, kept only where an alias is on the way (most are `own`).
  const ways = new Map<Node, Map<string, AliasWay | 'many'>>();
  /**
   * Adds `reader` to the node's readers, arriving by `way`; false when nothing new is learnt
   * (the reader has been here the same way, or already by several). A second, different way
   * makes it `many`, once: the node's content is walked again to pass that on.
   */
  const mark = (node: Node, reader: string, way: AliasWay | 'many' | null): boolean => {
    const found = readers.get(node);
    if (found === undefined || (typeof found === 'string' ? found !== reader : !found.includes(reader))) {
      if (found === undefined) readers.set(node, reader);
      else if (typeof found === 'string') readers.set(node, [found, reader]);
      else found.push(reader);
      if (way) (ways.get(node) ?? ways.set(node, new Map()).get(node)!).set(reader, way);
      return true;
    }
    const before = ways.get(node)?.get(reader) ?? null;
    if (before === 'many' || (before === null ? way === null : way !== null && way !== 'many' && way.alias === before.alias)) return false;
    (ways.get(node) ?? ways.set(node, new Map()).get(node)!).set(reader, 'many');
    return true;
  };
  const walkFrom = (start: unknown, reader: string, holder: { owner: YAMLMap; pair: Pair } | null = null) => {
    /** The way after passing `raw` (held by `owner`, in `pair`): an alias adds one. */
    const through = (raw: unknown, way: AliasWay | 'many' | null, owner: YAMLMap | YAMLSeq | null, pair: Pair | null) =>
      !isAlias(raw) ? way : way === null && owner ? { alias: raw, owner, pair } : 'many';
    const walk = (raw: unknown, way: AliasWay | 'many' | null, owner: YAMLMap | YAMLSeq | null, pair: Pair | null) => {
      const node = resolveNode(raw, doc);
      const next = through(raw, way, owner, pair);
      if (!node || !mark(node, reader, next)) return;
      const now = ways.get(node)?.get(reader) ?? null;
      if (isSeq(node)) for (const item of node.items) walk(item, now, node, null);
      else if (isMap(node)) walkMap(node, null, now);
    };
    /**
     * Walks a map's values not hidden by `overridden` (the keys of the maps merging it, when it
     * is a merge source); returns every key it provides. The keys are gathered only where they
     * are read: in a map that merges, and in a merge source (most maps are neither).
     */
    const walkMap = (map: YAMLMap, overridden: ReadonlySet<string> | null, way: AliasWay | 'many' | null): Set<string> | null => {
      const merges = map.items.some(isMergeKey);
      const own = merges || overridden ? new Set<string>(overridden) : null;
      for (const pair of map.items) {
        if (isMergeKey(pair)) continue;
        const name = keyName(pair);
        if (name !== null) {
          if (overridden?.has(name)) continue;
          // Compose drops a `!reset` pair before it applies merge keys: the merged key is read.
          if (!isReset(pair.value, doc)) own?.add(name);
        }
        walk(pair.value, way, map, pair);
      }
      if (!merges) return own;
      for (const pair of map.items) {
        if (!isMergeKey(pair)) continue;
        for (const { source, via } of mergeWays(pair, map, way)) {
          if (!mark(source, reader, via)) continue;
          // A key of an earlier source hides the same key in later ones (they are not read).
          for (const name of walkMap(source, own, ways.get(source)?.get(reader) ?? null)!) own!.add(name);
        }
      }
      return own;
    };
    /** Each map a merge key brings in, with the way there (through the alias naming it). */
    const mergeWays = (pair: Pair, map: YAMLMap, way: AliasWay | 'many' | null) => {
      const value = resolveNode(pair.value, doc);
      const outer = through(pair.value, way, map, pair);
      const items = isSeq(value) ? value.items.map((item) => ({ item, via: through(item, outer, value, null) })) : [{ item: pair.value, via: outer }];
      return items.flatMap(({ item, via }) => {
        const source = resolveNode(item, doc);
        return isMap(source) ? [{ source, via }] : [];
      });
    };
    walk(start, null, holder?.owner ?? null, holder?.pair ?? null);
  };
  // A top-level merge key (`<<: *base`) gives the root the keys of its blocks: each is read as
  // the top-level key it becomes (`services` there is read service by service, below).
  const topLevel = (map: YAMLMap, depth: number): void => {
    for (const pair of map.items) {
      if (isMergeKey(pair)) {
        if (depth < 32) for (const source of mergeSources(pair, doc)) topLevel(source, depth + 1);
        continue;
      }
      const name = keyName(pair);
      if (name !== null && !name.startsWith('x-') && name !== 'services') walkFrom(pair.value, `top:${name}`);
    }
  };
  topLevel(root, 0);
  // Each service is walked from its value as written: a service that is an alias (`b: *a`) reads its mapping through it.
  const written = effectiveKeys(parsed.services, doc);
  for (const { name, map } of services) {
    const found = written.get(name);
    walkFrom(found ? found.pair.value : map, serviceReader(name), found ?? null);
  }
  return {
    readersOf: (node) => {
      const found = readers.get(node);
      return found === undefined ? [] : typeof found === 'string' ? [found] : found;
    },
    wayTo: (node, reader) => {
      const found = readers.get(node);
      if (found === undefined || (typeof found === 'string' ? found !== reader : !found.includes(reader))) return null;
      return ways.get(node)?.get(reader) ?? 'own';
    },
  };
}
