import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import { ownValue, resolveNode, stringValue } from '../parse/yaml-nodes.js';

/** Pure helpers for `env_file:`: which files a service names, and what a file sets. */

/** One file of a service's `env_file:`. */
export interface EnvFileRef {
  /** The path exactly as written in the compose file. */
  path: string;
  /** The node that names it, for positions. */
  node: Node;
}

/**
 * The files of a service's effective `env_file:` (after aliases and merge keys), in order:
 * a string, a list of strings, or a list of `{path, required}` entries. Entries without a
 * string path are skipped.
 */
export function envFileRefs(value: Node | null, doc: Document): EnvFileRef[] {
  const items = isSeq(value) ? value.items.map((item) => resolveNode(item, doc)) : [value];
  return items.flatMap((item): EnvFileRef[] => {
    if (isScalar(item)) {
      const path = stringValue(item);
      return path ? [{ path, node: item }] : [];
    }
    if (isMap(item)) {
      const node = ownValue(item, 'path', doc);
      const path = stringValue(node);
      return path && node ? [{ path, node }] : [];
    }
    return [];
  });
}

const ENV_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:[=:]|$)/;

/**
 * The variables an env file sets, in order, without duplicates: `KEY=value`, `KEY: value`,
 * `export KEY=value` and a bare `KEY` (taken from the shell). Comments and blank lines are
 * skipped. Lines inside a multi-line quoted value may be read as keys; that only matters if
 * they look exactly like `PUID=…`, and then the warning is still worth reading.
 */
export function envFileNames(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n|\r/)) {
    const name = ENV_LINE.exec(line)?.[1];
    if (name) names.add(name);
  }
  return [...names];
}
