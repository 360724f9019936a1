import { inheritance, volumeMount } from './effective-service.js';
import type { MountState } from './targets.js';
import { splitEnvEntry } from './service-values.js';
import type { ServiceOfFile } from './extends-files.js';

/** A value under a tag the loader's schema does not know (`!reset`, `!override`, `!!python/…`): kept with its tag, never run. */
export class Tagged {
  constructor(
    readonly tag: string,
    readonly data: unknown,
  ) {}
}

/**
 * A service as Compose builds it, from plain values (a loader that already applied aliases and
 * merge keys): `extends` by the rules of effective-service.ts (`inheritance`),
 * `!reset` keys dropped, `!override` unwrapped. The verifier's view: it reads the output with a
 * second parser, so it cannot use the planner's yaml nodes, but it applies the same rules.
 */
export interface PlainService extends MountState {
  /**
   * Every key Compose keeps, comparable as a whole: tmpfs as a list, environment as a name→value
   * map, volumes as `{kind, path, value}`. Built on first read: the verifier needs it only where
   * the service's own keys differ (verify.ts).
   */
  readonly values: Record<string, unknown>;
  /** environment variables, name → value (null: unset), inherited first. */
  environment: Map<string, string | null>;
  /** `volumes` entries with their container path and kind, inherited first. */
  mounts: VolumeValue[];
}

type Record_ = Record<string, unknown>;

/**
 * A loaded file's root with Compose v2's reading of its local tags applied to `services` (the
 * rules of parse/compose-tags.ts, on plain values): `!reset` services, items and entries dropped
 * (outside an `!override`), `!override` unwrapped, everything below an `!override` as written.
 * A service's own keys keep their tag (`extends` reads it: see `inheritance`).
 */
export function withComposeTags(root: Record_): Record_ {
  const tagged = root.services instanceof Tagged && root.services.tag === '!override';
  const services = tagged ? (root.services as Tagged).data : root.services;
  if (!isRecord(services)) return root;
  const out: Record_ = {};
  for (const name of Object.keys(services)) {
    const raw = services[name];
    if (isResetValue(raw, tagged)) continue;
    const under = tagged || (raw instanceof Tagged && raw.tag === '!override');
    const service = raw instanceof Tagged && raw.tag === '!override' ? raw.data : raw;
    if (!isRecord(service)) {
      setOwn(out, name, service);
      continue;
    }
    const keys: Record_ = {};
    for (const key of Object.keys(service)) {
      const value = service[key];
      if (value instanceof Tagged && !under && (value.tag === '!reset' || value.tag === '!override')) setOwn(keys, key, new Tagged(value.tag, tagsApplied(value.data, value.tag === '!override')));
      else setOwn(keys, key, tagsApplied(value, under));
    }
    setOwn(out, name, keys);
  }
  const read: Record_ = {};
  for (const key of Object.keys(root)) setOwn(read, key, key === 'services' ? out : root[key]);
  return read;
}

function isResetValue(value: unknown, underOverride: boolean): boolean {
  return !underOverride && value instanceof Tagged && value.tag === '!reset';
}

/** A value with `!reset` items and entries dropped (outside an `!override`) and Compose's tags unwrapped. */
function tagsApplied(value: unknown, underOverride: boolean): unknown {
  if (value instanceof Tagged) {
    if (value.tag === '!override' || (underOverride && value.tag === '!reset')) return tagsApplied(value.data, true);
    return value;
  }
  if (Array.isArray(value)) return value.filter((item) => !isResetValue(item, underOverride)).map((item) => tagsApplied(item, underOverride));
  if (!isRecord(value)) return value;
  const out: Record_ = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (!isResetValue(item, underOverride)) setOwn(out, key, tagsApplied(item, underOverride));
  }
  return out;
}

function setOwn(map: Record_, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

/**
 * The plain effective view of every mapping service under `services` (not `x-*`), by name.
 * `foreign` gives the service of another file that `extends: {file, service}` names (path as written).
 */
export function plainServices(services: Record_, foreign?: ServiceOfFile<PlainService>): Map<string, PlainService> {
  const built = new Map<string, PlainService>();
  const building = new Set<string>();
  const build = (name: string): PlainService | null => {
    const done = built.get(name);
    if (done) return done;
    const raw = Object.hasOwn(services, name) ? services[name] : undefined;
    if (name.startsWith('x-') || !isRecord(raw) || building.has(name)) return null;
    building.add(name);
    const target = extendsTarget(raw.extends);
    const base = target === null ? null : target.file === null ? build(target.service) : (foreign?.(target.file, target.service) ?? null);
    const service = viewOf(raw, base);
    building.delete(name);
    built.set(name, service);
    return service;
  };
  for (const name of Object.keys(services)) build(name);
  return built;
}

/** Keys whose value the view normalises (tmpfs as a list, environment as a map, volumes as mounts). */
const NORMALISED = new Set(['tmpfs', 'environment', 'volumes']);

function viewOf(raw: Record_, base: PlainService | null): PlainView {
  const rule = (key: string) => ruleOf(raw, key, base !== null);
  const own = (key: string) => (Object.hasOwn(raw, key) && tagOfKey(raw, key) !== '!reset' ? untagged(raw[key]) : undefined);
  const inherited = (key: string) => base !== null && rule(key).appends;

  const tmpfs = [...(inherited('tmpfs') ? base!.tmpfs : []), ...tmpfsEntries(own('tmpfs'))];
  const envValue = own('environment');
  const ownEnv = envEntries(envValue);
  const environment = new Map(inherited('environment') ? [...base!.environment].filter(([name]) => !ownEnv.has(name)) : []);
  for (const [name, value] of ownEnv) environment.set(name, value);
  const ownMounts = volumeEntries(own('volumes'));
  const mounts = inherited('volumes') ? [...base!.mounts.filter((v) => !ownMounts.some((o) => o.path === v.path)), ...ownMounts] : ownMounts;
  const ownReadOnly = own('read_only');
  const readOnly = ownReadOnly !== undefined ? ownReadOnly : base !== null && rule('read_only').inherits ? base.readOnly : undefined;
  return new PlainView(raw, base, readOnly, tmpfs, environment, mounts, envValue !== undefined);
}

/** How Compose combines `key` of this service with the service it extends. */
function ruleOf(raw: Record_, key: string, hasBase: boolean) {
  return inheritance(key, Object.hasOwn(raw, key), tagOfKey(raw, key), hasBase);
}

function tagOfKey(raw: Record_, key: string): string | null {
  const value = raw[key];
  return value instanceof Tagged ? value.tag : null;
}

/** A class, not a literal with a getter: a getter per literal gives every view a hidden class of its own. */
class PlainView implements PlainService {
  readonly volumePaths: string[];
  private kept: Record_ | null = null;

  constructor(
    private readonly raw: Record_,
    private readonly base: PlainService | null,
    readonly readOnly: unknown,
    readonly tmpfs: string[],
    readonly environment: Map<string, string | null>,
    readonly mounts: VolumeValue[],
    /** The service sets `environment` itself (maybe empty). */
    private readonly ownEnvironment: boolean,
  ) {
    this.volumePaths = mounts.map((m) => m.path);
  }

  get values(): Record_ {
    return (this.kept ??= this.allValues());
  }

  private allValues(): Record_ {
    const { raw, base } = this;
    // The keys normalised below are added last, and only when set: `delete` would turn `values`
    // into a dictionary-mode object, slow for the comparison that reads it.
    const kept: Record_ = {};
    if (base) for (const [key, value] of Object.entries(base.values)) if (!NORMALISED.has(key) && ruleOf(raw, key, true).inherits) kept[key] = value;
    for (const key of Object.keys(raw)) if (key !== 'extends' && !NORMALISED.has(key) && tagOfKey(raw, key) !== '!reset') kept[key] = untagged(raw[key]);
    if (this.tmpfs.length) kept.tmpfs = this.tmpfs;
    if (this.environment.size || this.ownEnvironment) kept.environment = Object.fromEntries(this.environment);
    if (this.mounts.length) kept.volumes = this.mounts;
    return kept;
  }
}

interface VolumeValue {
  kind: string;
  path: string;
  value: unknown;
}

/** The service an `extends` value names (`extends: base`, `{service: base}`) and its `file` (null: this file). */
export function extendsTarget(value: unknown): { service: string; file: string | null } | null {
  if (typeof value === 'string') return { service: value, file: null };
  if (!isRecord(value) || typeof value.service !== 'string') return null;
  return { service: value.service, file: typeof value.file === 'string' ? value.file : null };
}

function untagged(value: unknown): unknown {
  return value instanceof Tagged ? value.data : value;
}

function tmpfsEntries(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((e) => e !== null && typeof e !== 'object').map(String);
}

/** Environment variables in list or mapping form; a later list entry of a name wins. */
function envEntries(value: unknown): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === null || typeof item === 'object') continue;
      const [name, text] = splitEnvEntry(String(item));
      out.delete(name);
      out.set(name, text);
    }
  } else if (isRecord(value)) {
    for (const name of Object.keys(value)) {
      const v = value[name];
      out.set(name, v === null || typeof v === 'object' ? null : String(v));
    }
  }
  return out;
}

function volumeEntries(value: unknown): VolumeValue[] {
  const out: VolumeValue[] = [];
  if (!Array.isArray(value)) return out;
  // A loop and a literal: flatMap's arrays and a spread with an added key were most of a view's cost.
  for (const entry of value) {
    const mount = volumeMount(entry);
    if (mount) out.push({ path: mount.path, kind: mount.kind, value: entry });
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Tagged);
}
