import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { effectiveEntries, resolveNode } from '../parse/yaml-nodes.js';
import type { EffectivePair } from '../parse/yaml-nodes.js';
import { extendsRef, shortVolume, splitEnvEntry, tmpfsPath } from './service-values.js';
import { composeTag, isReset } from '../parse/compose-tags.js';

/**
 * A service as Compose builds it: merge keys (earlier sources winning, own keys winning, one
 * level deep), aliases anywhere, `extends` (same-file, or another file's service when the caller
 * can read that file), `!reset` and `!override`.
 * Every value keeps the node it comes from, so the planner knows where to write and the
 * verifier compares what Compose would run (docs/adr: effective service view).
 */
export interface EffectiveService {
  /** The service's name; for a service of another file, `NAME (FILE)` (never a Compose name). */
  name: string;
  /** The other compose file the service is read from (through `extends: {file}`); null for this file. */
  file: string | null;
  /** The service's mapping (shared with others when reached through an alias). */
  map: YAMLMap;
  /** The keys of the service's own mapping after merge keys, each with the pair it comes from. */
  fields: ReadonlyMap<string, FieldSource>;
  /**
   * The keys of the service's own mapping after merge keys, as written: `!reset` ones included,
   * nothing from `extends` (what `effectivePair(map, key)` finds, looked up once).
   */
  mapFields: ReadonlyMap<string, FieldSource>;
  /** The service this one extends, as built; null when none (or in a file that was not read). */
  base: EffectiveService | null;
  /** `image`, own or inherited. */
  image: string | null;
  /** `read_only` as Compose reads it: the value node and the field that holds it; null when unset. */
  readOnly: { value: Node | null; field: FieldSource } | null;
  /** tmpfs entries in the order Compose mounts them (an extended base's first). */
  tmpfs: TmpfsItem[];
  /** environment variables, one per name (own over merged over extended). */
  environment: EnvItem[];
  /**
   * The variables an extended base gives, shadowed ones included: Compose merges them by name
   * under the service's own, so no environment written on the service drops them.
   */
  extendedEnvironment: EnvItem[];
  /** Mounts from `volumes` (binds, volumes, long-syntax tmpfs), own and inherited. */
  volumeMounts: VolumeMount[];
}

/** Where a key's value comes from. */
export interface FieldSource {
  pair: Pair;
  /** The map that holds the pair: the service's own, or a block merged into it. */
  owner: YAMLMap;
  /** True when it comes through a merge key. */
  merged: boolean;
  /** The value, aliases resolved. */
  value: Node | null;
  /** The service whose mapping (or merge) gives it (differs from the service's for extends). */
  service: string;
  /** The other compose file the pair is written in (through `extends: {file}`); null for this file. */
  file: string | null;
}

/** One tmpfs entry with the node holding it. */
export interface TmpfsItem {
  entry: string;
  node: Node;
  field: FieldSource;
}

/** One environment variable with the node naming it. */
export interface EnvItem {
  name: string;
  value: string | null;
  node: Node;
  field: FieldSource;
}

/** A `volumes` entry's container path and kind. */
export interface VolumeMount {
  path: string;
  kind: 'bind' | 'volume' | 'tmpfs';
  node: Node;
  /** The other compose file the entry is written in (through `extends: {file}`); null for this file. */
  file: string | null;
}

/** The node `key` has in the service's own mapping after merge keys and aliases (`effectiveValue`), or null. */
export function mappedValue(view: EffectiveService, key: string): Node | null {
  return view.mapFields.get(key)?.value ?? null;
}

/** Keys whose same-file `extends` merge is not "the service's own value wins". */
const APPENDED = new Set(['tmpfs', 'environment', 'volumes']);
/** Compose never inherits these through `extends`. */
const NOT_INHERITED = new Set(['extends', 'links', 'volumes_from', 'depends_on', 'net']);

/** How one key of a service combines with its same-file `extends` base. */
export interface Inheritance {
  /** The service's own value counts (not `!reset`). */
  own: boolean;
  /** The base's value counts. */
  inherits: boolean;
  /** Both count, the base's first (tmpfs, environment and volumes append; other keys: own wins). */
  appends: boolean;
}

/**
 * Compose's `extends` rule for one key, from the own value's tag (`!reset` drops the key,
 * inherited value included; `!override` keeps only the own value). The one place both views
 * (yaml nodes for planning, plain values for verifying) take it from.
 */
export function inheritance(key: string, hasOwn: boolean, tag: string | null | undefined, hasBase: boolean): Inheritance {
  const inherits = hasBase && !NOT_INHERITED.has(key) && tag !== '!reset' && (tag !== '!override' || !hasOwn);
  return { own: hasOwn && tag !== '!reset', inherits, appends: inherits && (!hasOwn || APPENDED.has(key)) };
}

/** Where the services of a `services` mapping come from, for services read from another file. */
export interface ServicesSource {
  /** The other compose file (as `extends: {file}` named it from the first file); absent for the file converted. */
  file?: string;
  /** The view of a service of another file that `extends: {file, service}` names (the path as written), or null. */
  foreign?: (file: string, service: string) => EffectiveService | null;
}

/**
 * The effective view of every service of a `services` mapping, by name, from its keys after
 * merge keys (`effectiveKeys`). `x-*` keys are not services. Extends cycles, and chains through
 * files `source` cannot give, end at the first service not found.
 */
export function effectiveServices(serviceKeys: ReadonlyMap<string, EffectivePair>, doc: Document, source: ServicesSource = {}): Map<string, EffectiveService> {
  const file = source.file ?? null;
  const maps = new Map<string, YAMLMap>();
  for (const [name, { pair }] of serviceKeys) {
    const map = resolveNode(pair.value, doc);
    // `name: !reset` drops the service (Compose v2).
    if (!name.startsWith('x-') && isMap(map) && !isReset(pair.value, doc)) maps.set(name, map);
  }
  const built = new Map<string, EffectiveService>();
  const building = new Set<string>();
  const build = (name: string): EffectiveService | null => {
    const done = built.get(name);
    if (done) return done;
    const map = maps.get(name);
    if (!map || building.has(name)) return null;
    building.add(name);
    const label = file === null ? name : `${name} (${file})`;
    // Fields written out, not spread: V8 copies a spread with added keys on a slow path (a fifth of the planning).
    const fields = effectiveEntries(map, doc, (pair, owner, merged): FieldSource => ({ pair, owner, merged, value: resolveNode(pair.value, doc), service: label, file }));
    const ref = extendsRef(fields.get('extends')?.value ?? null, doc);
    const base = !ref ? null : ref.file === null ? build(ref.service) : (source.foreign?.(ref.file, ref.service) ?? null);
    const service = viewOf(label, map, fields, base, doc, file);
    building.delete(name);
    built.set(name, service);
    return service;
  };
  for (const name of maps.keys()) build(name);
  return built;
}

function viewOf(name: string, map: YAMLMap, fields: Map<string, FieldSource>, base: EffectiveService | null, doc: Document, file: string | null): EffectiveService {
  const rule = (key: string) => inheritance(key, fields.has(key), composeTag(fields.get(key)?.value, doc), base !== null);
  const own = (key: string) => (rule(key).own ? fields.get(key) : undefined);
  const scalarField = (key: string) => own(key) ?? (rule(key).inherits ? base!.fields.get(key) : undefined);
  const inherited = (key: string) => base !== null && rule(key).appends;

  const imageField = scalarField('image');
  const readOnlyField = scalarField('read_only');
  const [tmpfsField, envField, volumesField] = [own('tmpfs'), own('environment'), own('volumes')];
  const ownTmpfs = tmpfsField ? tmpfsItems(tmpfsField, doc) : [];
  const tmpfs = inherited('tmpfs') ? [...base!.tmpfs, ...ownTmpfs] : ownTmpfs;
  const ownEnv = envField ? envItems(envField, doc) : [];
  const extendedEnv = inherited('environment') ? base!.environment : [];
  const ownVolumes = volumesField ? volumeMounts(volumesField.value, doc, file) : [];
  const inheritedVolumes = inherited('volumes') ? base!.volumeMounts.filter((v) => !ownVolumes.some((o) => o.path === v.path)) : [];
  return {
    name,
    file,
    map,
    fields: inheritedFields(fields, base, (key) => rule(key).own, (key) => rule(key).inherits),
    mapFields: fields,
    base,
    image: isScalar(imageField?.value) && imageField.value.value !== null ? String(imageField.value.value) : null,
    readOnly: readOnlyField ? { value: readOnlyField.value, field: readOnlyField } : null,
    tmpfs,
    environment: extendedEnv.length ? [...extendedEnv.filter((e) => !ownEnv.some((o) => o.name === e.name)), ...ownEnv] : ownEnv,
    extendedEnvironment: extendedEnv,
    volumeMounts: inheritedVolumes.length ? [...inheritedVolumes, ...ownVolumes] : ownVolumes,
  };
}

/** The service's fields with the base's fields it inherits (for keys it does not set). */
function inheritedFields(fields: Map<string, FieldSource>, base: EffectiveService | null, own: (key: string) => boolean, inherits: (key: string) => boolean): Map<string, FieldSource> {
  // Most services extend nothing and reset nothing: their fields are the mapping's, as they are.
  if (!base && ![...fields.values()].some((field) => field.value?.tag === '!reset')) return fields;
  const out = new Map<string, FieldSource>();
  for (const [key, field] of fields) if (own(key)) out.set(key, field);
  if (!base) return out;
  for (const [key, field] of base.fields) if (!out.has(key) && inherits(key)) out.set(key, field);
  return out;
}

function tmpfsItems(field: FieldSource, doc: Document): TmpfsItem[] {
  const { value } = field;
  const items: TmpfsItem[] = [];
  for (const item of isSeq(value) ? value.items : [value]) {
    const node = resolveNode(item, doc);
    if (isScalar(node) && node.value !== null && !isReset(item, doc)) items.push({ entry: String(node.value), node, field });
  }
  return items;
}

function envItems(field: FieldSource, doc: Document): EnvItem[] {
  const { value } = field;
  if (isMap(value)) {
    const items = effectiveEntries(value, doc, (pair, _owner, _merged, name): EnvItem | null => {
      // `PUID: !reset …` unsets the variable.
      if (isReset(pair.value, doc)) return null;
      const node = resolveNode(pair.value, doc);
      return { name, value: isScalar(node) && node.value !== null ? String(node.value) : null, node: pair.key as Node, field };
    });
    return [...items.values()].filter((item): item is EnvItem => item !== null);
  }
  const out = new Map<string, EnvItem>();
  if (isSeq(value)) {
    for (const item of value.items) {
      const node = resolveNode(item, doc);
      if (!isScalar(node) || node.value === null || isReset(item, doc)) continue;
      const [name, text] = splitEnvEntry(String(node.value));
      // A later list entry of the same name is the one Compose keeps.
      out.delete(name);
      out.set(name, { name, value: text, node, field });
    }
  }
  return [...out.values()];
}

/** Container paths of `volumes` entries: `SRC:DST[:MODE]`, `DST`, or `{type, target}`. */
function volumeMounts(value: Node | null, doc: Document, file: string | null): VolumeMount[] {
  const mounts: VolumeMount[] = [];
  if (!isSeq(value)) return mounts;
  // A loop, not flatMap: an array per entry was most of this function's garbage.
  for (const item of value.items) {
    if (isReset(item, doc)) continue;
    const node = resolveNode(item, doc);
    const mount = volumeMount(isScalar(node) ? node.value : isMap(node) ? (longSyntaxMount(node, doc) ?? node.toJS(doc, { maxAliasCount: -1 })) : null);
    if (mount && node) mounts.push({ path: mount.path, kind: mount.kind, node, file });
  }
  return mounts;
}

/**
 * `target` and `type` of a long-syntax `volumes` entry as its plain value has them (the last of a
 * key wins), read from the pairs; null when that needs the whole conversion to a plain value
 * (a merge key, a complex key, a value that is not a plain scalar).
 */
function longSyntaxMount(map: YAMLMap, doc: Document): { target?: unknown; type?: unknown } | null {
  const found: { target?: unknown; type?: unknown } = {};
  for (const pair of map.items) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value === 'symbol') return null;
    if (key.value !== 'target' && key.value !== 'type') continue;
    const value = resolveNode(pair.value, doc);
    if (!isScalar(value) || (typeof value.value === 'object' && value.value !== null)) return null;
    found[key.value] = value.value;
  }
  return found;
}

/** The container path and kind of one `volumes` entry as a plain value (short string or long-syntax map). */
export function volumeMount(entry: unknown): { path: string; kind: VolumeMount['kind'] } | null {
  if (typeof entry === 'string') {
    const volume = shortVolume(entry);
    return volume ? { path: tmpfsPath(volume.target), kind: volume.bind ? 'bind' : 'volume' } : null;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  const { target, type } = entry as Record<string, unknown>;
  if (typeof target !== 'string' || !target) return null;
  return { path: tmpfsPath(target), kind: type === 'tmpfs' ? 'tmpfs' : type === 'bind' ? 'bind' : 'volume' };
}

/** `/var/run` is `/run` in Debian and Alpine based images: the same mount target. */
export function mountPath(path: string): string {
  return path === '/var/run' ? '/run' : path.startsWith('/var/run/') ? `/run${path.slice('/var/run'.length)}` : path;
}
