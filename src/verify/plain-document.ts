import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import { isMergeKey } from '../parse/yaml-nodes.js';
import type { Document } from 'yaml';

/**
 * What `doc.toJS()` gives for a document without tags, with merge keys applied (what yaml's
 * `merge` option and js-yaml do), in one walk: yaml resolves each alias with a walk of its own,
 * and its per-pair bookkeeping cost as much as reading the output again. As in `toJS`, an alias
 * is the very value of the last node before it with that anchor, a key is its value as a string
 * (null as ''). Returns null (the caller then reads the text again) for what it does not read as
 * js-yaml would: a node with a tag (js-yaml keeps Compose's `!reset` with its value), a key that
 * is a collection, a scalar that is not a string, number, boolean or null.
 */
export function plainDocument(doc: Document): unknown {
  const anchored = new Map<string, unknown>();
  let covered = true;
  const plain = (node: unknown): unknown => {
    if (isScalar(node)) {
      const { value } = node;
      if (node.tag !== undefined || !(value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) covered = false;
      if (node.anchor) anchored.set(node.anchor, value);
      return value;
    }
    if (isMap(node)) {
      if (node.tag !== undefined) covered = false;
      const map: Record<string, unknown> = {};
      if (node.anchor) anchored.set(node.anchor, map);
      for (const pair of node.items) {
        if (isMergeKey(pair)) {
          merge(map, plain(pair.value));
          continue;
        }
        const name = plain(pair.key);
        // yaml stringifies a collection as a key.
        if (typeof name === 'object' && name !== null) covered = false;
        set(map, name === null ? '' : String(name), plain(pair.value));
      }
      return map;
    }
    if (isSeq(node)) {
      if (node.tag !== undefined) covered = false;
      const seq: unknown[] = [];
      if (node.anchor) anchored.set(node.anchor, seq);
      for (const item of node.items) seq.push(plain(item));
      return seq;
    }
    if (isAlias(node)) {
      if (!anchored.has(node.source)) covered = false;
      return anchored.get(node.source);
    }
    if (node !== null && node !== undefined) covered = false;
    return null;
  };
  // As js-yaml and Compose merge: a key of the map itself wins, then the sources in order.
  const merge = (map: Record<string, unknown>, sources: unknown) => {
    for (const source of Array.isArray(sources) ? sources : [sources]) {
      if (typeof source !== 'object' || source === null || Array.isArray(source)) {
        covered = false;
        continue;
      }
      for (const key of Object.keys(source)) if (!Object.hasOwn(map, key)) set(map, key, (source as Record<string, unknown>)[key]);
    }
  };
  const value = plain(doc.contents);
  return covered ? value : null;
}

function set(map: Record<string, unknown>, key: string, value: unknown): void {
  // Every other key of Object.prototype is a writable value: assigning makes it the map's own.
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}
