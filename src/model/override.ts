import { isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node, Scalar, YAMLMap } from 'yaml';
import { effectivePair, hasVariable, keyName, ownValue, resolveNode } from '../parse/yaml-nodes.js';

/** An override file as the caller read it (`compose.override.yml` beside `compose.yml`). */
export interface OverrideFile {
  path: string;
  text: string;
}

/** A service of the override file: its document, mapping and key. */
export interface OverrideService {
  doc: Document;
  map: YAMLMap;
  key: Node;
}

// One parse per override file, shared by the services of the file being converted.
const parsedOverrides = new WeakMap<OverrideFile, Document | null>();

/** The service `name` in the override file Compose merges over this one; null when it has none (or does not parse). */
export function overrideService(override: OverrideFile, name: string): OverrideService | null {
  let doc = parsedOverrides.get(override);
  if (doc === undefined) {
    const parsed = parseDocument(override.text, { prettyErrors: false });
    doc = parsed.errors.length ? null : parsed;
    parsedOverrides.set(override, doc);
  }
  const root = doc?.contents;
  if (!doc || !isMap(root)) return null;
  const services = ownValue(root, 'services', doc);
  if (!isMap(services)) return null;
  const pair = services.items.find((p) => keyName(p) === name);
  const map = resolveNode(pair?.value, doc);
  return pair && isMap(map) ? { doc, map, key: pair.key as Node } : null;
}

/**
 * The `read_only` the override gives the service when it is not `true` (Compose takes the later
 * file's): `false`, another value, or a `${VAR}` left to run time. Null when it sets none or `true`.
 */
export function overrideReadOnly(service: OverrideService): Scalar | null {
  const found = effectivePair(service.map, 'read_only', service.doc);
  const value = resolveNode(found?.pair.value, service.doc);
  if (!found || !isScalar(value) || value.value === null) return null;
  return String(value.value).toLowerCase() === 'true' && !hasVariable(value) ? null : value;
}
