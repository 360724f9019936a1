import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document } from 'yaml';

/**
 * What `doc.toJS()` gives for a document without tags or merge keys, in one walk: yaml resolves
 * each alias with a walk of its own, and its per-pair bookkeeping cost as much as reading the
 * output again. As in `toJS`, an alias is the very value of the last node before it with that
 * anchor, a key is its value as a string (null as ''). Returns null (the caller then asks `toJS`)
 * for what yaml handles another way: a key that is a collection or a merge key, a scalar that
 * is not a string, number, boolean or null.
 */
export function plainDocument(doc: Document): unknown {
  const anchored = new Map<string, unknown>();
  let covered = true;
  const plain = (node: unknown): unknown => {
    if (isScalar(node)) {
      const { value } = node;
      if (!(value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) covered = false;
      if (node.anchor) anchored.set(node.anchor, value);
      return value;
    }
    if (isMap(node)) {
      const map: Record<string, unknown> = {};
      if (node.anchor) anchored.set(node.anchor, map);
      for (const { key, value } of node.items) {
        const name = plain(key);
        // A collection as a key is stringified by yaml; `<<` may be a merge key (YAML 1.1, the
        // `merge` option): its scalar then holds a symbol, which the check above refuses.
        if ((typeof name === 'object' && name !== null) || name === '<<') covered = false;
        const stringKey = name === null ? '' : String(name);
        // Every other key of Object.prototype is a writable value: assigning makes it the map's own.
        if (stringKey === '__proto__') Object.defineProperty(map, stringKey, { value: plain(value), writable: true, enumerable: true, configurable: true });
        else map[stringKey] = plain(value);
      }
      return map;
    }
    if (isSeq(node)) {
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
  const value = plain(doc.contents);
  return covered ? value : null;
}
