import { isMap, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { ParsedCompose } from '../parse/parse.js';
import { isMergeKey, keyName, mergeSources, resolveNode } from '../parse/yaml-nodes.js';
import { isReset } from '../parse/compose-tags.js';

/**
 * Who reads each node: a service (`service:NAME`) or another top-level key (`top:KEY`).
 * Without aliases every node has one reader; anchors, aliases and merge keys let one
 * node feed several, and an edit there changes all of them.
 */
export interface Sharing {
  /** The readers of `node`; empty for nodes nobody reads (an unused `x-*` block). */
  readersOf(node: Node): readonly string[];
}

/** Reader id of a service. */
export const serviceReader = (name: string) => `service:${name}`;

/**
 * Maps every node to its readers: the file's services (as located, `x-*` keys left out) and
 * its other top-level keys. A merged map's keys that the merging map overrides
 * are not read through that merge. Each reader visits a node once, so the cost stays
 * linear even in an alias bomb. Returns null when the document has no alias at all
 * (then nothing is shared and no analysis is needed).
 */
export function analyzeSharing(parsed: ParsedCompose, services: readonly { name: string; map: YAMLMap }[]): Sharing | null {
  const { doc, root } = parsed;
  if (!parsed.hasAliases) return null;
  // Most nodes have one reader: it is kept as it is, and a list made for a second one.
  const readers = new Map<Node, string | string[]>();
  /** Adds `reader` to the node's readers; false when it was there (the reader has been here). */
  const mark = (node: Node, reader: string): boolean => {
    const found = readers.get(node);
    if (found === undefined) readers.set(node, reader);
    else if (typeof found === 'string') {
      if (found === reader) return false;
      readers.set(node, [found, reader]);
    } else if (found.includes(reader)) return false;
    else found.push(reader);
    return true;
  };
  const walkFrom = (start: unknown, reader: string) => {
    const walk = (raw: unknown) => {
      const node = resolveNode(raw, doc);
      if (!node || !mark(node, reader)) return;
      if (isSeq(node)) for (const item of node.items) walk(item);
      else if (isMap(node)) walkMap(node, null);
    };
    /**
     * Walks a map's values not hidden by `overridden` (the keys of the maps merging it, when it
     * is a merge source); returns every key it provides. The keys are gathered only where they
     * are read: in a map that merges, and in a merge source (most maps are neither).
     */
    const walkMap = (map: YAMLMap, overridden: ReadonlySet<string> | null): Set<string> | null => {
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
        walk(pair.value);
      }
      if (!merges) return own;
      for (const pair of map.items) {
        if (!isMergeKey(pair)) continue;
        for (const source of mergeSources(pair, doc)) {
          if (!mark(source, reader)) continue;
          // A key of an earlier source hides the same key in later ones (they are not read).
          for (const name of walkMap(source, own)!) own!.add(name);
        }
      }
      return own;
    };
    walk(start);
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
  for (const { name, map } of services) walkFrom(map, serviceReader(name));
  return {
    readersOf: (node) => {
      const found = readers.get(node);
      return found === undefined ? [] : typeof found === 'string' ? [found] : found;
    },
  };
}
