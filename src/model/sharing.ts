import { isAlias, isMap, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { ParsedCompose } from '../parse/parse.js';
import { isMergeKey, keyName, mergeSources, resolveNode } from '../parse/yaml-nodes.js';

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
  const readers = new Map<Node, string[]>();
  const mark = (node: Node, reader: string) => {
    const list = readers.get(node);
    if (!list) readers.set(node, [reader]);
    else if (!list.includes(reader)) list.push(reader);
  };
  const walkFrom = (start: unknown, reader: string) => {
    const visited = new Set<Node>();
    const walk = (raw: unknown, overridden: ReadonlySet<string> | null) => {
      const node = resolveNode(raw, doc);
      if (!node || visited.has(node)) return;
      visited.add(node);
      mark(node, reader);
      if (isSeq(node)) for (const item of node.items) walk(item, null);
      else if (isMap(node)) walkMap(node, overridden);
    };
    /** Walks a map's values not hidden by `overridden`; returns every key it provides. */
    const walkMap = (map: YAMLMap, overridden: ReadonlySet<string> | null): Set<string> => {
      const own = new Set<string>(overridden ?? []);
      for (const pair of map.items) {
        const name = keyName(pair);
        if (isMergeKey(pair) || (overridden && name !== null && overridden.has(name))) continue;
        if (name !== null) own.add(name);
        walk(pair.value, null);
      }
      for (const pair of map.items) {
        if (!isMergeKey(pair)) continue;
        if (isAlias(pair.value)) visited.add(pair.value);
        for (const source of mergeSources(pair, doc)) {
          if (visited.has(source)) continue;
          visited.add(source);
          mark(source, reader);
          // A key of an earlier source hides the same key in later ones (they are not read).
          for (const name of walkMap(source, own)) own.add(name);
        }
      }
      return own;
    };
    walk(start, null);
  };
  for (const pair of root.items) {
    const name = keyName(pair);
    if (name === null || name.startsWith('x-')) continue;
    if (name !== 'services') walkFrom(pair.value, `top:${name}`);
  }
  for (const { name, map } of services) walkFrom(map, serviceReader(name));
  return { readersOf: (node) => readers.get(node) ?? [] };
}
