import { isRecord, plainServices, Tagged } from '../model/plain-services.js';
import type { PlainService } from '../model/plain-services.js';
import { servicesOfFiles } from '../model/extends-files.js';
import { readComposeValue } from '../verify/verify.js';
import { parseEnvFile } from './dotenv.js';
import { interpolate } from './interpolate.js';
import { dirOf, resolveIn } from './paths.js';

/**
 * The files Compose reads for one project, as the I/O side found them (src/io/project-load.ts):
 * the `-f` chain in order, each file with the projects its `include:` entries load.
 */
export interface ProjectFiles {
  /** The project directory (absolute): relative `env_file` paths of the chain resolve here. */
  directory: string;
  /** The variables interpolation reads: the shell's over the project's `.env`. */
  environment: Readonly<Record<string, string>>;
  /** The project's `.env` (interpolation only, never edited); null when there is none. */
  dotenv: string | null;
  files: ProjectComposeFile[];
}

/** One compose file of a project's `-f` chain (or of an included project's). */
export interface ProjectComposeFile {
  /** Absolute path. */
  path: string;
  text: string;
  /** Each `include:` entry, loaded as a project of its own. */
  includes: ProjectFiles[];
}

/** Reads a file the model needs beside the compose files (env files, `extends: {file}`): its text, or null. */
export type ReadProjectFile = (absolutePath: string) => string | null;

/** A project Compose cannot load: one line naming the file. */
export class ProjectError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProjectError';
  }
}

/** A required env file that is not there: Compose would not start the project as it stands. */
export class MissingEnvFileError extends ProjectError {}

/** Where one environment variable of a merged service comes from. */
export interface EnvSource {
  value: string | null;
  /** The compose files whose `environment` sets it for the service (merge order; empty when only env files do). */
  files: string[];
  /** The env files (and 1-based lines) that set it, whether or not `environment` wins over them. */
  envFiles: { path: string; line: number }[];
}

/** A service of the merged project, as `docker compose config` shows it, with where each part comes from. */
export interface MergedService {
  name: string;
  /** The compose files that define or override it, in merge order (included files included). */
  files: string[];
  image: string | null;
  /** Other files that define it alike (Compose takes the definitions as one). */
  alike: string[];
  /** `read_only` as Compose reads it (undefined: unset). */
  readOnly: unknown;
  /** The file whose `read_only` Compose takes (or that `!reset`s it last); null when none sets it. */
  readOnlyFile: string | null;
  /** tmpfs entries in mount order, each with the file that writes it. */
  tmpfs: { entry: string; file: string }[];
  /** Container paths of `volumes` entries. */
  volumePaths: string[];
  /** The container's environment: `environment` over the `env_file` contents. */
  environment: Map<string, EnvSource>;
  /** The env files the service reads, in order (absolute paths). */
  envFiles: { path: string; required: boolean }[];
  /** Per key, the last file that sets it or `!reset`s it (where Compose's merged value was last written). */
  keyFiles: ReadonlyMap<string, string>;
  /** Whether a later file's `KEY: !reset null` removes a variable (see `State.envResettable`). */
  envResettable: boolean;
  /** Its `profiles`; empty: always started. */
  profiles: string[];
  /** Compose starts it: no profile, or one of them active (`COMPOSE_PROFILES`, `--profile`). */
  active: boolean;
  /** Every key Compose keeps, normalised as the verifier compares services (tmpfs list, environment map, volumes by target). */
  values: Record<string, unknown>;
}

/** The merged services of a project, by name, in the order Compose first meets them. */
export type MergedProject = Map<string, MergedService>;

/** One file's contribution to a service, before merging. */
interface Layer {
  file: string;
  /** The project directory its relative paths resolve against. */
  directory: string;
  /** The service's mapping as written, tags kept (`!reset`, `!override`). */
  raw: Record<string, unknown>;
  /** Its keys as Compose builds the service from that file alone (extends applied, tags unwrapped). */
  values: Record<string, unknown>;
}

/** The state of one service while the files are merged. */
interface State {
  name: string;
  directory: string;
  /** Other files that define the service alike (Compose imports it once); `files` has the one merged. */
  alike: string[];
  files: string[];
  values: Record<string, unknown>;
  keyFiles: Map<string, string>;
  tmpfsFiles: string[];
  envFiles: Map<string, string[]>;
  /**
   * Whether a later `KEY: !reset null` removes a variable: Compose 2.26 applies it only while the
   * merged `environment` is still the one mapping a single file wrote (merging two files' turns it
   * into a list, which a reset does not reach; a list as written, or one `extends` adds to, neither).
   */
  envResettable: boolean;
}

/**
 * Merges a project's services the way Compose v2 does: each file's services built alone
 * (interpolated, `extends` applied, `include:`d projects imported), then the files merged in
 * order (scalars replaced, `environment` per variable, `tmpfs` and other lists appended,
 * `volumes` by target, `command`/`entrypoint` replaced, mappings key by key, `!reset` and
 * `!override`), then `env_file` contents put under `environment`.
 * @throws ProjectError naming the file when a file is not a compose file, a service is defined
 *   by two included projects, or a required env file is missing
 */
export function mergeProject(project: ProjectFiles, read: ReadProjectFile): MergedProject {
  const { states } = mergeStates(project, read);
  const merged: MergedProject = new Map();
  for (const state of states.values()) merged.set(state.name, finish(state, project, read));
  return merged;
}

/** A project's merged services and its top-level networks, volumes, secrets and configs. */
interface Merged {
  states: Map<string, State>;
  /** By `kind.name` (`networks.media`): the last file that defines it and its definition as Compose compares it. */
  resources: Map<string, { file: string; definition: string }>;
}

/** The top-level keys whose entries an included project imports (compose-go's `importResources`). */
const RESOURCE_KINDS = ['networks', 'volumes', 'secrets', 'configs'] as const;

function mergeStates(project: ProjectFiles, read: ReadProjectFile): Merged {
  const states = new Map<string, State>();
  const resources = new Map<string, { file: string; definition: string }>();
  for (const file of project.files) {
    // What this file's includes import, then its own definitions: the same name twice is refused
    // unless both define it alike (Compose: "conflicts with imported resource").
    const importedStates = new Map<string, State>();
    const importedResources = new Map<string, { file: string; definition: string }>();
    for (const included of file.includes) {
      const inner = mergeStates(included, read);
      for (const [name, state] of inner.states) {
        const other = importedStates.get(name);
        if (other && !sameDefinition(other, state)) throw conflict(file.path, `service ${name}`, other.files[0]!, state.files[0]!);
        if (other) alsoDefinedIn(other, state.files[0]!);
        else importedStates.set(name, state);
      }
      for (const [key, resource] of inner.resources) {
        const other = importedResources.get(key);
        if (other && other.definition !== resource.definition) throw conflict(file.path, key, other.file, resource.file);
        if (!other) importedResources.set(key, resource);
      }
    }
    const { layers, own } = fileLayers(file, project, read);
    const alike = new Map<string, string[]>();
    for (const [name, state] of importedStates) {
      const layer = layers.get(name);
      if (layer) {
        if (!sameDefinition(state, firstState(name, layer))) throw conflict(file.path, `service ${name}`, file.path, state.files[0]!);
        // The file's own definition is merged below; it remembers the included one.
        alike.set(name, [...state.alike, state.files[0]!]);
        continue;
      }
      const earlier = states.get(name);
      if (earlier) overlay(earlier, { file: state.files[0]!, directory: state.directory, raw: state.values, values: state.values });
      else states.set(name, state);
    }
    for (const [key, resource] of importedResources) {
      const mine = own.get(key);
      if (mine && mine.definition !== resource.definition) throw conflict(file.path, key, file.path, resource.file);
      resources.set(key, resource);
    }
    for (const [key, resource] of own) resources.set(key, resource);
    for (const [name, layer] of layers) {
      const earlier = states.get(name);
      if (earlier) overlay(earlier, layer);
      else states.set(name, firstState(name, layer));
      for (const other of alike.get(name) ?? []) alsoDefinedIn(states.get(name)!, other);
    }
  }
  return { states, resources };
}

/** Two services from different files Compose takes as one: the same values in the same project directory (relative paths then mean the same). */
function sameDefinition(a: State, b: State): boolean {
  return a.directory === b.directory && canonical(a.values) === canonical(b.values);
}

/** A value as JSON with mapping keys sorted: Compose compares definitions, not how they are written. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) => (isRecord(inner) ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, inner[key]])) : inner));
}

function alsoDefinedIn(state: State, file: string): void {
  if (!state.files.includes(file) && !state.alike.includes(file)) state.alike.push(file);
}

function conflict(path: string, what: string, first: string, second: string): ProjectError {
  const where = first === path ? `here and, differently, in the included ${second}` : `differently by two included projects (${first} and ${second})`;
  return new ProjectError(path, `${what} is defined ${where}; Compose refuses this (conflicts with imported resource)`);
}

/** The services one compose file defines, interpolated, each as Compose builds it from that file. */
function fileLayers(file: ProjectComposeFile, project: ProjectFiles, read: ReadProjectFile): { layers: Map<string, Layer>; own: Map<string, { file: string; definition: string }> } {
  const lookup = (name: string) => project.environment[name];
  const root = composeRoot(file.path, file.text, lookup);
  const services = isRecord(root.services) ? root.services : {};
  const foreign = servicesOfFiles(
    { read: (path) => read(resolveIn(dirOf(file.path), path)), resolve: (from, path) => resolveIn(dirOf(resolveIn(dirOf(file.path), from)), path) },
    (text, path, nested): Map<string, PlainService> | null => {
      let other: Record<string, unknown>;
      try {
        other = composeRoot(resolveIn(dirOf(file.path), path), text, lookup);
      } catch {
        return null;
      }
      return isRecord(other.services) ? plainServices(rebasedEnvFiles(other.services, dirOf(resolveIn(dirOf(file.path), path))), nested) : null;
    },
  );
  const views = plainServices(rebasedEnvFiles(services, project.directory), foreign);
  const layers = new Map<string, Layer>();
  for (const [name, view] of views) layers.set(name, { file: file.path, directory: project.directory, raw: services[name] as Record<string, unknown>, values: view.values });
  const own = new Map<string, { file: string; definition: string }>();
  for (const kind of RESOURCE_KINDS) {
    const entries = root[kind];
    if (!isRecord(entries)) continue;
    for (const name of Object.keys(entries)) {
      const value = isRecord(entries[name]) ? (entries[name] as Record<string, unknown>) : {};
      // A secret's or config's file compares as the path Compose resolves it to.
      const definition = typeof value.file === 'string' ? { ...value, file: resolveIn(project.directory, value.file) } : value;
      own.set(`${kind}.${name}`, { file: file.path, definition: canonical(definition) });
    }
  }
  return { layers, own };
}

/**
 * A compose text as plain values, read once per text: the loader reads each file for its
 * includes, the merge reads it again, and the check after a conversion merges every file again
 * (most of them unchanged). Bounded for a long-lived caller; the values are never changed.
 */
export function readCompose(text: string): Record<string, unknown> | null {
  let root = readTexts.get(text);
  if (root === undefined) {
    if (readTexts.size >= MAX_TEXTS_KEPT) readTexts.clear();
    // Tags kept where written: the merge applies them across files.
    root = readComposeValue(text, false);
    readTexts.set(text, root);
  }
  return root;
}

const readTexts = new Map<string, Record<string, unknown> | null>();
const MAX_TEXTS_KEPT = 512;

/**
 * A compose file's plain, interpolated value.
 * @throws ProjectError when it does not parse as a mapping, or is no compose file
 */
function composeRoot(path: string, text: string, lookup: (name: string) => string | undefined): Record<string, unknown> {
  const root = readCompose(text);
  if (!root) throw new ProjectError(path, 'not a compose file (it does not parse as a YAML mapping)');
  if (root.services !== undefined && root.services !== null && !isRecord(root.services)) throw new ProjectError(path, 'not a compose file (services is not a mapping)');
  if (root.services === undefined && root.include === undefined && !Object.keys(root).some((key) => ['networks', 'volumes', 'secrets', 'configs', 'name'].includes(key) || key.startsWith('x-'))) {
    throw new ProjectError(path, 'not a compose file (no services, include, networks, volumes, secrets or configs)');
  }
  return interpolateTree(root, lookup) as Record<string, unknown>;
}

/** Every string value of a plain tree interpolated (keys are not: Compose interpolates values). */
function interpolateTree(value: unknown, lookup: (name: string) => string | undefined): unknown {
  if (typeof value === 'string') return interpolate(value, lookup);
  if (Array.isArray(value)) return value.map((item) => interpolateTree(item, lookup));
  if (value instanceof Tagged) return new Tagged(value.tag, interpolateTree(value.data, lookup));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = interpolateTree(value[key], lookup);
    return out;
  }
  return value;
}

/** The services with each `env_file` entry as `{path, required}`, its path absolute against `dir`. */
function rebasedEnvFiles(services: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(services)) {
    const service = services[name];
    if (!isRecord(service) || service.env_file === undefined) {
      out[name] = service;
      continue;
    }
    const value = service.env_file;
    const rebase = (entries: unknown) => envFileEntries(entries).map((entry) => ({ path: resolveIn(dir, entry.path), required: entry.required }));
    out[name] = { ...service, env_file: value instanceof Tagged ? new Tagged(value.tag, rebase(value.data)) : rebase(value) };
  }
  return out;
}

/** `env_file` as a string, a list of strings, or a list of `{path, required}`. */
function envFileEntries(value: unknown): { path: string; required: boolean }[] {
  return (Array.isArray(value) ? value : [value]).flatMap((entry) => {
    if (typeof entry === 'string') return [{ path: entry, required: true }];
    if (isRecord(entry) && typeof entry.path === 'string') return [{ path: entry.path, required: entry.required !== false && entry.required !== 'false' }];
    return [];
  });
}

function firstState(name: string, layer: Layer): State {
  const state: State = { name, directory: layer.directory, alike: [], files: [layer.file], values: {}, keyFiles: new Map(), tmpfsFiles: [], envFiles: new Map(), envResettable: false };
  for (const key of Object.keys(layer.values)) setKey(state, key, layer.values[key], layer.file, layer.raw[key]);
  return state;
}

/** Keys whose later value replaces the earlier one whatever its kind. */
const REPLACED = new Set(['command', 'entrypoint', 'image', 'read_only']);

/** One later file's service merged over the state (Compose's override rules). */
function overlay(state: State, layer: Layer): void {
  const { file } = layer;
  if (!state.files.includes(file)) state.files.push(file);
  for (const key of new Set([...Object.keys(layer.raw), ...Object.keys(layer.values)])) {
    const written = layer.raw[key];
    const tag = written instanceof Tagged ? written.tag : null;
    if (tag === '!reset') {
      clearKey(state, key);
      // The reset is where Compose last read the key: an edit to it goes there.
      state.keyFiles.set(key, file);
      continue;
    }
    const value = layer.values[key];
    if (value === undefined) continue;
    if (tag === '!override' || REPLACED.has(key) || !Object.hasOwn(state.values, key)) {
      clearKey(state, key);
      setKey(state, key, value, file, written);
      continue;
    }
    state.keyFiles.set(key, file);
    const earlier = state.values[key];
    if (key === 'environment' && isRecord(value) && isRecord(earlier)) {
      const resets = resetVariables(written);
      if (state.envResettable) {
        for (const name of resets) {
          delete earlier[name];
          state.envFiles.delete(name);
        }
      }
      for (const name of Object.keys(value)) {
        if (resets.has(name)) continue;
        earlier[name] = value[name];
        state.envFiles.set(name, [...(state.envFiles.get(name) ?? []), file]);
      }
      state.envResettable = false;
    } else if (key === 'tmpfs' && Array.isArray(value) && Array.isArray(earlier)) {
      state.values.tmpfs = [...earlier, ...value];
      state.tmpfsFiles.push(...value.map(() => file));
    } else if (key === 'volumes' && Array.isArray(value) && Array.isArray(earlier)) {
      const paths = new Set(value.map((v: { path: string }) => v.path));
      state.values.volumes = [...earlier.filter((v: { path: string }) => !paths.has(v.path)), ...value];
    } else {
      state.values[key] = mergeValues(earlier, value);
    }
  }
}

/** Sets a key as one file writes it (`written`: its raw value, tags kept; absent when `extends` gives it). */
function setKey(state: State, key: string, value: unknown, file: string, written: unknown): void {
  if (key === 'environment' && isRecord(value)) {
    // A reset with nothing before it to remove is dropped, as Compose drops it.
    const resets = resetVariables(written);
    const own = Object.keys(value).filter((name) => !resets.has(name));
    state.values.environment = Object.fromEntries(own.map((name) => [name, value[name]]));
    for (const name of own) state.envFiles.set(name, [file]);
  } else {
    state.values[key] = value;
  }
  if (key === 'environment') {
    // A mapping as written; `extends` adding variables to it makes it a list (Compose merges the two).
    const mapping = written instanceof Tagged ? written.data : written;
    state.envResettable = isRecord(mapping) && isRecord(value) && Object.keys(value).every((name) => Object.hasOwn(mapping, name));
  }
  state.keyFiles.set(key, file);
  if (key === 'tmpfs' && Array.isArray(value)) state.tmpfsFiles = value.map(() => file);
}

/** The variables an `environment` mapping, as written, marks `!reset`. */
function resetVariables(written: unknown): Set<string> {
  if (!isRecord(written)) return new Set();
  return new Set(Object.keys(written).filter((name) => written[name] instanceof Tagged && (written[name] as Tagged).tag === '!reset'));
}

function clearKey(state: State, key: string): void {
  delete state.values[key];
  state.keyFiles.delete(key);
  if (key === 'tmpfs') state.tmpfsFiles = [];
  if (key === 'environment') {
    state.envFiles.clear();
    state.envResettable = false;
  }
}

/** Mappings merged key by key, lists appended, anything else replaced by the later value. */
function mergeValues(earlier: unknown, later: unknown): unknown {
  if (Array.isArray(earlier) && Array.isArray(later)) return [...earlier, ...later];
  if (isRecord(earlier) && isRecord(later)) {
    const out: Record<string, unknown> = { ...earlier };
    for (const key of Object.keys(later)) {
      const value = later[key];
      if (value instanceof Tagged && value.tag === '!reset') delete out[key];
      else out[key] = Object.hasOwn(out, key) && !(value instanceof Tagged) ? mergeValues(out[key], value) : value instanceof Tagged ? value.data : value;
    }
    return out;
  }
  return later;
}

/** The merged service as Compose runs it: env files read and put under `environment`. */
function finish(state: State, project: ProjectFiles, read: ReadProjectFile): MergedService {
  const { values } = state;
  const profiles = Array.isArray(values.profiles) ? values.profiles.map(String) : [];
  const activeProfiles = (project.environment.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim());
  const active = profiles.length === 0 || profiles.some((p) => activeProfiles.includes(p) || activeProfiles.includes('*'));
  const envFiles = Array.isArray(values.env_file) ? (values.env_file as { path: string; required: boolean }[]) : [];
  const environment = new Map<string, EnvSource>();
  for (const envFile of envFiles) {
    const text = read(envFile.path);
    if (text === null) {
      // Compose reads the env files of the services it starts only.
      if (envFile.required && active) throw new MissingEnvFileError(envFile.path, `env file not found (service ${state.name} reads it; \`required: false\` makes it optional)`);
      continue;
    }
    for (const entry of parseEnvFile(text, project.environment)) {
      const earlier = environment.get(entry.name);
      environment.set(entry.name, { value: entry.value, files: [], envFiles: [...(earlier?.envFiles ?? []), { path: envFile.path, line: entry.line }] });
    }
  }
  const own = isRecord(values.environment) ? values.environment : {};
  for (const name of Object.keys(own)) {
    const written = own[name];
    // A variable without a value takes the shell's (or `.env`'s), as Compose resolves it.
    const value = written === null || written === undefined ? (project.environment[name] ?? null) : String(written);
    environment.set(name, { value, files: state.envFiles.get(name) ?? [], envFiles: environment.get(name)?.envFiles ?? [] });
  }
  const tmpfs = Array.isArray(values.tmpfs) ? (values.tmpfs as string[]) : [];
  const volumes = Array.isArray(values.volumes) ? (values.volumes as { path: string }[]) : [];
  return {
    name: state.name,
    files: state.files,
    alike: state.alike,
    image: typeof values.image === 'string' ? values.image : null,
    readOnly: values.read_only,
    readOnlyFile: state.keyFiles.get('read_only') ?? null,
    tmpfs: tmpfs.map((entry, i) => ({ entry, file: state.tmpfsFiles[i] ?? state.files[0]! })),
    volumePaths: volumes.map((v) => v.path),
    environment,
    envFiles,
    keyFiles: state.keyFiles,
    envResettable: state.envResettable,
    profiles,
    active,
    values: { ...values, environment: Object.fromEntries([...environment].map(([name, source]) => [name, source.value])) },
  };
}
