/**
 * Helpers for tests that run the built command line (`dist/cli.js`) as a user would: in a
 * child process, on temporary copies of compose files, never on the repository's own files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built command line, as `npm test` leaves it (it builds first). */
export const BUILT_CLI = join(PROJECT_ROOT, 'dist', 'cli.js');

let cliPath: string | null = null;
const temps: string[] = [];

/**
 * Copies the built command ({@link CLI_FILES}) to a private directory, so that a
 * rebuild running at the same time (it empties `dist/`) cannot pull it from under the tests.
 * @throws when `dist/cli.js` does not exist, saying how to build it
 */
export function prepareCli(): string {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (\`npm test\` builds before running the tests)`);
  }
  const dir = makeTempDir('ro-convert-bin-');
  copyBuiltCli(dir);
  cliPath = join(dir, 'cli.js');
  return cliPath;
}

/** The files the built command runs from (entry, bundle, code cache, worker, module type). */
export const CLI_FILES = ['package.json', 'cli.js', 'cli-app.js', 'cli-app.cache', 'worker.js'] as const;

/** Copies the built command's files from `dist/` into `dir`. */
export function copyBuiltCli(dir: string): void {
  for (const file of CLI_FILES) {
    const from = join(PROJECT_ROOT, 'dist', file);
    if (existsSync(from)) copyFileSync(from, join(dir, file));
  }
}

/** A fresh directory under the system temp directory, removed by {@link removeTempDirs}. */
export function makeTempDir(prefix = 'ro-convert-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Removes every directory made by {@link makeTempDir}. */
export function removeTempDirs(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** What one run of the command line did. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface CliRunOptions {
  cwd: string;
  /** Bytes or text for standard input. */
  input?: string | Uint8Array;
  /** Variables added to a clean environment (NO_COLOR and FORCE_COLOR removed). */
  env?: Record<string, string>;
}

/** A copy of this process's environment without the colour switches, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.RO_CONVERT_TEST_KILL_BEFORE_RENAME;
  return { ...env, ...extra };
}

/** Runs `node cli.js ...args` synchronously and returns its exit status and output. */
export function runCli(args: readonly string[], options: CliRunOptions): CliRun {
  if (!cliPath) throw new Error('call prepareCli() in beforeAll first');
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    env: cleanEnv(options.env),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 1 << 26,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The path of the prepared command line (for spawning it another way). */
export function cliFile(): string {
  if (!cliPath) throw new Error('call prepareCli() in beforeAll first');
  return cliPath;
}

/** Writes files (relative path → text or bytes) under `dir`, creating folders as needed. */
/** A temporary folder holding these files (path relative to it → text). */
export function workspace(files: Record<string, string>): string {
  const dir = makeTempDir();
  writeTree(dir, files);
  return dir;
}

export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** Reads a file's bytes as text, keeping a BOM and line endings. */
export function readBytes(path: string): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(readFileSync(path));
}

/**
 * {@link runCli} without blocking the test's thread: a run that hangs is caught by the test's
 * vitest timeout (the hang guard) instead of freezing the worker.
 */
export function runCliAsync(args: readonly string[], options: Omit<CliRunOptions, 'input'>): Promise<CliRun> {
  if (!cliPath) throw new Error('call prepareCli() in beforeAll first');
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}
