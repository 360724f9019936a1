import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Hand-made multi-file projects: each folder has a project.json (`compose`: docker compose's arguments, `run`: ro-convert's, `args`: the selection). */
export const PROJECT_FIXTURES = join(root, 'test', 'fixtures-projects');
/** Real projects (other people's files: read in place, never copied), each with a case.json. */
export const CORPUS_PROJECTS = resolve(root, '..', 'shared', 'corpus', 'projects');

export interface ProjectCase {
  name: string;
  dir: string;
  /** `docker compose` arguments before `config` (`-f`, `--project-directory`, `--profile`). */
  compose: string[];
  /** ro-convert's project arguments (`-f`, `--project-directory`). */
  run: string[];
  /** ro-convert's selection arguments. */
  args: string[];
  /** The whole case.json / project.json. */
  spec: Record<string, unknown>;
}

function casesIn(dir: string, specName: string): ProjectCase[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, specName)))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const spec = JSON.parse(readFileSync(join(dir, name, specName), 'utf8')) as Record<string, unknown>;
      return { name, dir: join(dir, name), compose: spec.compose as string[], run: spec.run as string[], args: spec.args as string[], spec };
    });
}

export const projectFixtures = (): ProjectCase[] => casesIn(PROJECT_FIXTURES, 'project.json');
export const corpusProjects = (): ProjectCase[] => casesIn(CORPUS_PROJECTS, 'case.json');

/** The `-f` files and `--project-directory` of a `run` argument list. */
export function projectArgs(run: readonly string[]): { files: string[]; projectDirectory?: string } {
  const files: string[] = [];
  let projectDirectory: string | undefined;
  for (let i = 0; i < run.length; i++) {
    if (run[i] === '-f' || run[i] === '--file') files.push(run[++i]!);
    else if (run[i] === '--project-directory') projectDirectory = run[++i]!;
  }
  return projectDirectory === undefined ? { files } : { files, projectDirectory };
}

/** The selection options of ro-convert's selection arguments (`--service`, `--image`, `--all`, `--supported`). */
export function selectionOf(args: readonly string[]): { services?: string[]; images?: string[]; all?: boolean; supported?: boolean } {
  const out: { services?: string[]; images?: string[]; all?: boolean; supported?: boolean } = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--service') out.services = args[++i]!.split(',');
    else if (args[i] === '--image') out.images = [args[++i]!];
    else if (args[i] === '--all') out.all = true;
    else if (args[i] === '--supported') out.supported = true;
  }
  return out;
}

/** The shell environment Compose and ro-convert both see in these tests: HOSTNAME and COMPOSE_* removed. */
export function cleanEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'HOSTNAME' || name.startsWith('COMPOSE_')) delete env[name];
  return env;
}

/** Compose v2's merged view (`docker compose ARGS config --format json`), or null when it fails. */
export async function composeConfig(dir: string, args: readonly string[]): Promise<{ services: Record<string, Record<string, unknown>> } | { error: string }> {
  try {
    const { stdout } = await promisify(execFile)('docker', ['compose', ...args, 'config', '--format', 'json'], { cwd: dir, env: cleanEnv(), maxBuffer: 1 << 24 });
    return JSON.parse(stdout) as { services: Record<string, Record<string, unknown>> };
  } catch (error) {
    return { error: String((error as { stderr?: string }).stderr ?? error) };
  }
}

/** Whether `docker compose` (v2) answers. */
export async function hasComposeV2(): Promise<boolean> {
  try {
    await promisify(execFile)('docker', ['compose', 'version', '--short']);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a project test needs here: Compose v2 and ../shared's real projects. Without CI, each one
 * missing is a line saying what the test skips; with CI=true the tests run and fail instead.
 */
export async function projectTestNeeds(test: string, comparisons = ''): Promise<{ inCI: boolean; compose: boolean; corpus: ProjectCase[] }> {
  const inCI = process.env.CI === 'true';
  const compose = await hasComposeV2();
  if (!compose && !inCI) console.warn(`${test}: SKIPPED${comparisons} — docker compose (v2) is not installed (bash ../shared/tools/compose-v2.sh); CI fails without it`);
  const corpus = corpusProjects();
  if (corpus.length === 0 && !inCI) console.warn(`${test}: SKIPPED the real projects — ../shared/corpus/projects is missing; CI fails without it`);
  return { inCI, compose, corpus };
}
