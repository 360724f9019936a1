import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readRegularFile } from './files.js';
import { isRecord } from '../model/plain-services.js';
import { parseEnvFile } from '../project/dotenv.js';
import { interpolate } from '../project/interpolate.js';
import { ProjectError, readCompose } from '../project/merge.js';
import type { ProjectComposeFile, ProjectFiles, ReadProjectFile } from '../project/merge.js';

/** How the command line names a project, as `docker compose` takes it. */
export interface ProjectArgs {
  /** `-f FILE` / `--file FILE`, in order (relative to `cwd`); empty: `COMPOSE_FILE` or default discovery. */
  files: readonly string[];
  /** `--project-directory DIR`. */
  projectDirectory?: string | undefined;
  cwd: string;
  /** The shell's environment (it wins over the project's `.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** A file the caller has already read (absolute path): not read again. */
  known?: { path: string; text: string } | undefined;
}

/** Compose v2's default file names, in the order it looks for them (compose-go `DefaultFileNames`). */
export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
/** The override file names, either family over either base (the first found is merged; Compose v2.26). */
export const OVERRIDE_FILE_NAMES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

/** A loaded project: its files and the reader of the files beside them (env files, extends files). */
export interface LoadedProject {
  project: ProjectFiles;
  read: ReadProjectFile;
}

/**
 * Finds and reads the files Compose reads for one project: `-f` files, else `COMPOSE_FILE` (the
 * shell's, else the `.env`'s, split on `COMPOSE_PATH_SEPARATOR`), else the first default file
 * name in the working directory or its parents plus its override file; then every `include:`
 * (short and long form, nested, relative to the including file).
 * @throws ProjectError naming the file: a missing file, an include cycle, a file that does not parse
 */
export function loadProject(args: ProjectArgs): LoadedProject {
  const read = cachedReader(args.known);
  const start = resolve(args.cwd, args.projectDirectory ?? '.');
  const shell = definedOnly(args.env);
  let files = args.files.map((file) => resolve(args.cwd, file));
  if (files.length === 0) {
    const dotenvHere = read(join(start, '.env'));
    const fromDotenv = dotenvHere === null ? {} : envMap(dotenvHere, shell);
    const listed = shell.COMPOSE_FILE ?? fromDotenv.COMPOSE_FILE;
    if (listed) {
      const separator = shell.COMPOSE_PATH_SEPARATOR ?? fromDotenv.COMPOSE_PATH_SEPARATOR ?? ':';
      files = listed.split(separator).filter(Boolean).map((file) => resolve(start, file));
    } else {
      files = discover(start);
    }
  }
  const directory = args.projectDirectory === undefined ? dirname(files[0]!) : start;
  const dotenv = read(join(directory, '.env'));
  const environment = composeVariables(dotenv, args.env);
  const project = loadChain(files, directory, environment, dotenv, read, []);
  return { project, read };
}

/**
 * The project files of a compose file a directory search found, given the compose file names
 * of its folder: a default file (the first Compose picks) with the override file Compose merges
 * over it; null for that override file (converted with its base); the file alone otherwise.
 */
export function projectFilesIn(path: string, siblings: readonly string[]): string[] | null {
  const base = DEFAULT_FILE_NAMES.find((name) => siblings.includes(name));
  const override = OVERRIDE_FILE_NAMES.find((name) => siblings.includes(name));
  const name = basename(path);
  if (base && name === override) return null;
  return name === base && override ? [path, join(dirname(path), override)] : [path];
}

/**
 * The compose files (absolute paths) that the projects made of `projects` (each a `-f` list)
 * include, at any depth. Only files that name `include:` are loaded; a project that cannot be
 * loaded includes nothing here (its own conversion reports why).
 */
export function includedComposeFiles(projects: readonly (readonly string[])[]): Set<string> {
  const included = new Set<string>();
  const collect = (project: ProjectFiles, top: boolean) => {
    for (const file of project.files) {
      if (!top) included.add(file.path);
      for (const inner of file.includes) collect(inner, false);
    }
  };
  for (const files of projects) {
    if (!files.some((file) => isFile(file) && /(^|\n)include\s*:/.test(regularText(file) ?? ''))) continue;
    try {
      collect(loadProject({ files, cwd: process.cwd(), env: process.env }).project, true);
    } catch {
      // Reported when the project itself is converted.
    }
  }
  return included;
}

/**
 * The projects of a directory search (each a folder's default compose file, with its override
 * file) that Compose would give the same name: `docker compose up` in one would take the other's
 * containers. Per clashing project (by its first file), one line naming the other's file.
 */
export function projectNameClashes(projects: readonly (readonly string[])[]): Map<string, string> {
  const byName = new Map<string, string>();
  const clashes = new Map<string, string>();
  for (const files of projects) {
    const first = files[0]!;
    // Only a folder's own project: the default file Compose picks there (another compose file beside it converts alone).
    if (DEFAULT_FILE_NAMES.map((name) => resolve(dirname(first), name)).find((path) => isFile(path)) !== resolve(first)) continue;
    const name = projectName(files.map((file) => resolve(file)));
    const other = byName.get(name);
    if (other === undefined) {
      byName.set(name, first);
      continue;
    }
    const clash = (with_: string) => `project name clash: Compose names both this project and ${with_} "${name}", so \`docker compose up\` in one takes the other's containers; give one a top-level name:, or name the folders one at a time`;
    clashes.set(first, clash(other));
    if (!clashes.has(other)) clashes.set(other, clash(first));
  }
  return clashes;
}

/**
 * The name Compose 2.26 gives a project run from its folder: `COMPOSE_PROJECT_NAME` (the
 * shell's, else the folder's `.env`), else the last top-level `name:` of its files, else the
 * folder's name; normalised as compose-go does (lower case, only a-z 0-9 _ -, no leading _ or -).
 */
function projectName(files: readonly string[]): string {
  const directory = dirname(files[0]!);
  const environment = composeVariables(regularText(join(directory, '.env')), process.env);
  let name = environment.COMPOSE_PROJECT_NAME;
  for (const file of name ? [] : files) {
    const text = isFile(file) ? regularText(file) : null;
    if (text === null || !/^name\s*:/m.test(text)) continue;
    const root = readCompose(text);
    if (typeof root?.name === 'string') name = interpolate(root.name, (variable) => environment[variable]);
  }
  return (name || basename(directory))
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** The first default file in `dir` or the nearest parent that has one, with its override file. */
function discover(dir: string): string[] {
  for (let at = dir; ; at = dirname(at)) {
    const base = DEFAULT_FILE_NAMES.map((name) => join(at, name)).find((path) => isFile(path));
    if (base) {
      const override = OVERRIDE_FILE_NAMES.map((name) => join(at, name)).find((path) => isFile(path));
      return override ? [base, override] : [base];
    }
    if (dirname(at) === at) break;
  }
  throw new ProjectError(dir, `no compose file here or in a parent folder (${DEFAULT_FILE_NAMES.join(', ')})`);
}

/** Reads a `-f` chain (or an included project's paths) and, recursively, what each file includes. */
function loadChain(paths: readonly string[], directory: string, environment: Record<string, string>, dotenv: string | null, read: ReadProjectFile, including: readonly string[]): ProjectFiles {
  const files: ProjectComposeFile[] = paths.map((path) => {
    if (including.includes(path)) throw new ProjectError(path, `include cycle: ${[...including, path].join(' -> ')}`);
    const text = read(path);
    if (text === null) throw new ProjectError(path, including.length ? `included file not found (included by ${including[including.length - 1]})` : 'no such compose file');
    return { path, text, includes: includesOf(path, text, environment, read, [...including, path]) };
  });
  return { directory, environment, dotenv, files };
}

/** Each `include:` entry of a compose file, loaded as a project of its own. */
function includesOf(path: string, text: string, environment: Record<string, string>, read: ReadProjectFile, including: readonly string[]): ProjectFiles[] {
  const root = readCompose(text);
  if (!root) throw new ProjectError(path, 'not a compose file (it does not parse as a YAML mapping)');
  if (root.include === undefined || root.include === null) return [];
  if (!Array.isArray(root.include)) throw new ProjectError(path, 'include: is not a list');
  const here = dirname(path);
  const value = (text: unknown) => (typeof text === 'string' ? interpolate(text, (name) => environment[name]) : null);
  return root.include.map((entry) => {
    const long: Record<string, unknown> = isRecord(entry) ? entry : { path: entry };
    const listed = (Array.isArray(long.path) ? long.path : [long.path]).map(value);
    if (listed.length === 0 || listed.some((p) => !p)) throw new ProjectError(path, 'include: an entry names no path');
    const files = (listed as string[]).map((p) => resolve(here, p));
    const projectDirectory = value(long.project_directory);
    const directory = projectDirectory ? resolve(here, projectDirectory) : dirname(files[0]!);
    // The included project's own env files fill what the including project leaves unset.
    const envFiles = long.env_file === undefined ? [join(directory, '.env')] : (Array.isArray(long.env_file) ? long.env_file : [long.env_file]).map((f) => resolve(here, value(f) ?? ''));
    const own: Record<string, string> = {};
    for (const envFile of envFiles) {
      const envText = read(envFile);
      if (envText === null && long.env_file !== undefined) throw new ProjectError(envFile, `env file of an include not found (included by ${path})`);
      if (envText !== null) Object.assign(own, envMap(envText, environment));
    }
    const dotenv = read(join(directory, '.env'));
    return loadChain(files, directory, { ...own, ...environment }, dotenv, read, including);
  });
}

/** The variables Compose interpolates a project with: the shell's environment over its `.env` (`dotenv`, the text; null: none). */
export function composeVariables(dotenv: string | null, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const shell = definedOnly(env);
  return { ...(dotenv === null ? {} : envMap(dotenv, shell)), ...shell };
}

function envMap(text: string, environment: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of parseEnvFile(text, environment)) if (entry.value !== null) out[entry.name] = entry.value;
  return out;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

/**
 * Reads files as text, each once; null for a missing file, a folder, a FIFO or device, or one too
 * large to be hand-written (read as regular files only, so a file swapped after the check cannot block).
 */
function cachedReader(known?: { path: string; text: string }): ReadProjectFile {
  const texts = new Map<string, string | null>(known ? [[known.path, known.text]] : []);
  return (path) => {
    if (!texts.has(path)) texts.set(path, isFile(path) ? regularText(path) : null);
    return texts.get(path)!;
  };
}

function regularText(path: string): string | null {
  try {
    return readRegularFile(path, MAX_BYTES).toString('utf8');
  } catch {
    return null;
  }
}

const MAX_BYTES = 4 << 20;

function isFile(path: string): boolean {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return Boolean(stat?.isFile() && stat.size <= MAX_BYTES);
  } catch {
    return false;
  }
}
