import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import { effectiveKeys, ownValue, resolveNode, stringValue } from '../parse/yaml-nodes.js';

/** Compose values of a service as the conversion reads them (after aliases and merge keys). */

/** `PATH[:OPTIONS]` of a tmpfs entry, with the path normalised as Docker compares it. */
export function tmpfsPath(entry: string): string {
  // Called for every mount of every service, planning and verifying: no array, no regex unless a trailing slash.
  const colon = entry.indexOf(':');
  const path = (colon < 0 ? entry : entry.slice(0, colon)).trim();
  return (path.endsWith('/') ? path.replace(/\/+$/, '') : path) || '/';
}

/** The options of a tmpfs entry (`size=64m`, `exec`…), in order. */
export function tmpfsOptions(entry: string): string[] {
  const i = entry.indexOf(':');
  return i < 0 ? [] : entry.slice(i + 1).split(',').map((o) => o.trim()).filter(Boolean);
}

/** Whether a tmpfs entry is mounted with exec (`exec` given, `noexec` not). */
export function hasExec(entry: string): boolean {
  const options = tmpfsOptions(entry);
  return options.includes('exec') && !options.includes('noexec');
}

/** `[name, value]` of a list-form environment entry: `KEY=value`, or bare `KEY` (value null). */
export function splitEnvEntry(text: string): [string, string | null] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text.trim(), null] : [text.slice(0, eq).trim(), text.slice(eq + 1)];
}

/** The variable a list-form environment entry sets. */
export function envEntryName(entry: unknown): string | null {
  return isScalar(entry) && entry.value !== null ? splitEnvEntry(String(entry.value))[0] : null;
}

/** One variable of a service's effective `environment`, in list or mapping form. */
export interface EnvEntry {
  name: string;
  /** The value as text; null for a bare `KEY` or `KEY:`. */
  value: string | null;
  /** The node naming the variable (list item or mapping key), for positions. */
  node: Node;
}

/** The variables of an `environment` value (aliases resolved), in source order (own keys before merged ones). */
export function environmentEntries(env: Node | null, doc: Document): EnvEntry[] {
  if (isSeq(env)) {
    return env.items.flatMap((item) => {
      const node = resolveNode(item, doc);
      if (!isScalar(node) || node.value === null) return [];
      const [name, value] = splitEnvEntry(String(node.value));
      return [{ name, value, node }];
    });
  }
  if (isMap(env)) {
    // Variables merged into the mapping with `<<: *anchor` count too, as Compose sees them.
    return [...effectiveKeys(env, doc)].map(([name, { pair }]) => {
      const value = resolveNode(pair.value, doc);
      return { name, value: isScalar(value) && value.value !== null ? String(value.value) : null, node: pair.key as Node };
    });
  }
  return [];
}

/** The entries of a `tmpfs` value (aliases resolved): one string or a list, as strings. */
export function tmpfsEntries(value: Node | null, doc: Document): string[] {
  const items = isSeq(value) ? value.items.map((item) => resolveNode(item, doc)) : [value];
  return items.map((item) => (isScalar(item) && item.value !== null ? String(item.value) : null)).filter((e): e is string => e !== null);
}

/**
 * The service a service `extends` (`extends: base`, or `{service: base, file: other.yml}`),
 * with the file when it is another one; null when it extends nothing readable.
 */
export function extendsRef(value: Node | null, doc: Document): { service: string; file: string | null } | null {
  if (isScalar(value)) {
    const service = stringValue(value);
    return service ? { service, file: null } : null;
  }
  if (!isMap(value)) return null;
  const field = (name: string) => stringValue(ownValue(value, name, doc));
  const service = field('service');
  return service ? { service, file: field('file') } : null;
}
