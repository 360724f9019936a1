import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import { effectiveKeys, ownValue, resolveNode, stringValue } from '../parse/yaml-nodes.js';
import { isReset } from '../parse/compose-tags.js';
import { interpolatedText } from './interpolation.js';

/** Compose values of a service as the conversion reads them (after aliases and merge keys). */

/**
 * The path of a tmpfs entry `PATH[:OPTIONS]` (or of a mount target), normalised as Docker compares
 * it, read as Compose reads it: interpolated first (`${RUN_DIR:-/run}` is `/run`); with a variable
 * that has no default the path stays as written (see model/interpolation.ts).
 */
export function tmpfsPath(entry: string): string {
  // Called for every mount of every service, planning and verifying: no array, no regex unless a trailing slash.
  const text = entry.includes('$') ? interpolatedText(entry) : entry;
  const colon = text.includes('${') ? colonOutsideBraces(text) : text.indexOf(':');
  const path = (colon < 0 ? text : text.slice(0, colon)).trim();
  return (path.endsWith('/') ? path.replace(/\/+$/, '') : path) || '/';
}

/** The index of the first `:` of `text` not inside a `${…}`, or -1. */
function colonOutsideBraces(text: string): number {
  let braces = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '$' && text[i + 1] === '{') {
      braces++;
      i++;
    } else if (char === '}' && braces > 0) braces--;
    else if (char === ':' && braces === 0) return i;
  }
  return -1;
}

/** A tmpfs entry's path and options as written (`${RUN_DIR:-/run}` and `size=1m`), split where Compose splits it. */
export function splitTmpfsEntry(entry: string): { path: string; options: string | null } {
  const colon = colonOutsideBraces(entry);
  return colon < 0 ? { path: entry, options: null } : { path: entry.slice(0, colon), options: entry.slice(colon + 1) };
}

/** A short-syntax `volumes` entry as Compose splits it: `[SOURCE:]TARGET[:OPTIONS]`. */
export interface ShortVolume {
  /** The host path or volume name; null for an anonymous volume (`TARGET` alone). */
  source: string | null;
  target: string;
  /** `ro`, `rw`, `z`, `nocopy`…, in order. */
  options: string[];
  /** The source is a host path (a bind mount), not a volume name. */
  bind: boolean;
}

/**
 * Splits a short-syntax `volumes` entry at its colons as Compose does (compose-go's ParseVolume):
 * a colon after a one-letter segment belongs to a Windows drive (`C:\\data:/data`). Compose
 * splits the interpolated text, so a colon inside `${VAR:-default}` does not split it here.
 * Null for what Compose refuses: an empty segment, or more than three.
 */
export function shortVolume(spec: string): ShortVolume | null {
  const parts: string[] = [];
  let start = 0;
  let braces = 0;
  for (let i = 0; i < spec.length; i++) {
    const char = spec[i];
    if (char === '$' && (spec[i + 1] === '$' || spec[i + 1] === '{')) {
      if (spec[++i] === '{') braces++;
    } else if (char === '}' && braces > 0) {
      braces--;
    } else if (char === ':' && braces === 0 && !(i - start === 1 && isLetter(spec[start]!))) {
      parts.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(spec.slice(start));
  if (parts.length > 3 || parts.includes('')) return null;
  if (parts.length === 1) return { source: null, target: parts[0]!, options: [], bind: false };
  const source = parts[0]!;
  return { source, target: parts[1]!, options: parts.length === 3 ? parts[2]!.split(',') : [], bind: isHostPath(source) };
}

/**
 * Whether a short-syntax source is a host path rather than a volume name, by
 * Compose's rule (`.`, `/`, `~`, a `\\` pipe or a drive letter first), with `$` added: the text is
 * read before interpolation, and a variable there names a host directory (`${DATA}:/data`).
 */
function isHostPath(source: string): boolean {
  return /^[./~$]|^\\\\/.test(source) || (source.length > 1 && source[1] === ':' && isLetter(source[0]!));
}

function isLetter(char: string): boolean {
  return /^\p{L}$/u.test(char);
}

/** The options of a tmpfs entry (`size=64m`, `exec`…), in order. */
export function tmpfsOptions(entry: string): string[] {
  const text = entry.includes('$') ? interpolatedText(entry) : entry;
  const i = text.includes('${') ? colonOutsideBraces(text) : text.indexOf(':');
  return i < 0 ? [] : text.slice(i + 1).split(',').map((o) => o.trim()).filter(Boolean);
}

/** Whether a tmpfs entry is mounted with exec (`exec` given, `noexec` not). */
export function hasExec(entry: string): boolean {
  const options = tmpfsOptions(entry);
  return options.includes('exec') && !options.includes('noexec');
}

/**
 * `[name, value]` of a list-form environment entry: `KEY=value`, or bare `KEY` (value null), split
 * at the first `=` as Compose splits it, nothing trimmed: `PUID =1000` sets `PUID `, not PUID.
 */
export function splitEnvEntry(text: string): [string, string | null] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, null] : [text.slice(0, eq), text.slice(eq + 1)];
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
      if (!isScalar(node) || node.value === null || isReset(item, doc)) return [];
      const [name, value] = splitEnvEntry(String(node.value));
      return [{ name, value, node }];
    });
  }
  if (isMap(env)) {
    // Variables merged into the mapping with `<<: *anchor` count too, as Compose sees them.
    return [...effectiveKeys(env, doc)].flatMap(([name, { pair }]) => {
      if (isReset(pair.value, doc)) return [];
      const value = resolveNode(pair.value, doc);
      return [{ name, value: isScalar(value) && value.value !== null ? String(value.value) : null, node: pair.key as Node }];
    });
  }
  return [];
}

/** The entries of a `tmpfs` value (aliases resolved): one string or a list, as strings. */
export function tmpfsEntries(value: Node | null, doc: Document): string[] {
  const items = isSeq(value) ? value.items.filter((item) => !isReset(item, doc)).map((item) => resolveNode(item, doc)) : [value];
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
