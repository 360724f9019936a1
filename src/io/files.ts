import { closeSync, constants, fchmodSync, fchownSync, fsync, lstatSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConvertError } from '../parse/errors.js';
import { createLayout } from '../parse/layout.js';

/**
 * Compose file names a directory search finds: `compose.yml`, `docker-compose.yaml`, overrides
 * and variants (`compose.override.yml`, `docker-compose.prod.yml`), dash variants
 * (`docker-compose-vps.yaml`, `compose-media.yml`) and `NAME.compose.yml`. The pre-commit hook's
 * `files:` pattern matches the same names (a test holds them together).
 */
export const COMPOSE_FILE = /^(?:(?:docker-)?compose(?:[.-][^/]+)?|[^/]+\.compose)\.ya?ml$/;
/** {@link COMPOSE_FILE} in words, for the message about a directory without compose files. */
export const COMPOSE_FILE_NAMES = '(docker-)compose.y(a)ml, (docker-)compose.NAME.y(a)ml, (docker-)compose-NAME.y(a)ml, NAME.compose.y(a)ml';
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** The files a run processes, and what each directory argument held. */
export interface PathSearch {
  /** Paths to process in command-line order, each distinct real file once; `-` is standard input. */
  files: string[];
  /** Each directory argument with the compose files found in it (before removing duplicates). */
  directories: { path: string; found: string[] }[];
  /** Each path left out because it is the same file as an earlier one: path → the path kept. */
  sameAs: Map<string, string>;
  /** Each file a directory search found → the compose file names found in its directory (itself included). */
  siblings: Map<string, readonly string[]>;
}

/**
 * Expands the command line's paths: files as given (in order), directories searched
 * recursively for compose file names ({@link COMPOSE_FILE}), skipping `.git` and `node_modules`
 * and not following directory symlinks (no loops). `-` stays as is (standard input). A file
 * reached twice (named twice, or through a symlink such as `docker-compose.yml -> compose.yml`)
 * is kept at its first path only: a second conversion of it would find it changed on disk.
 */
export function expandPaths(paths: readonly string[]): PathSearch {
  const files: string[] = [];
  const directories: PathSearch['directories'] = [];
  const sameAs = new Map<string, string>();
  const siblings = new Map<string, readonly string[]>();
  const kept = new Map<string, string>();
  const add = (path: string, key = path === '-' ? path : realPathOrAbsolute(path)) => {
    const first = kept.get(key);
    if (first !== undefined) {
      if (first !== path) sameAs.set(path, first);
      return;
    }
    kept.set(key, path);
    files.push(path);
  };
  for (const path of paths) {
    if (path !== '-' && isDirectory(path)) {
      const found: string[] = [];
      const realPaths = new Map<string, string>();
      walk(path, realPathOrAbsolute(path), found, siblings, realPaths);
      directories.push({ path, found });
      for (const file of found) add(file, realPaths.get(file));
    } else {
      add(path);
    }
  }
  return { files, directories, sameAs, siblings };
}

/** The file's real path (symlinks resolved), or its absolute path when it cannot be resolved. */
function realPathOrAbsolute(path: string): string {
  try {
    // The native call is one system call; the JS one stats every component of the path.
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds the compose files under `dir`, whose real path is `realDir`. Directory symlinks are not
 * followed, so a regular file's real path is `realDir` joined with its name, without a system
 * call; a file symlink's is resolved. A directory listed without our temp files is marked swept:
 * a write there need not list it again (removeStaleTemps).
 */
function walk(dir: string, realDir: string, out: string[], siblings: Map<string, readonly string[]>, realPaths: Map<string, string>): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names: string[] = [];
  let temps = false;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, join(realDir, entry.name), out, siblings, realPaths);
    } else if (COMPOSE_FILE.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && !isDirectory(path)))) {
      out.push(path);
      names.push(entry.name);
      siblings.set(path, names);
      realPaths.set(path, entry.isFile() ? join(realDir, entry.name) : realPathOrAbsolute(path));
    } else if (TEMP_NAME.test(entry.name)) {
      temps = true;
    }
  }
  if (names.length > 0 && !temps) sweptDirs.add(dirname(join(dir, names[0]!)));
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes file bytes as UTF-8, keeping a BOM as U+FEFF so it is written back.
 * @throws ConvertError `not-utf8` with the position of the first bad byte
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const { line, column } = createLayout(prefix).position(prefix.length);
    throw new ConvertError('not-utf8', 'not UTF-8 text (binary or another encoding)', line, column);
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    // The second byte's range is narrower after some leads (no overlongs, surrogates or > U+10FFFF).
    const [low, high] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k];
      if (byte === undefined || byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

/** Reads a compose file as text. @throws ConvertError `io` or `not-utf8` */
export function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw ioError('cannot read', error);
  }
  return decodeText(bytes);
}

/**
 * Replaces a file's content atomically: a temp file in the same directory (created
 * exclusively, never through a symlink), the original's mode and owner, fsync, then rename.
 * A symlink is written through to its target. Refuses when the file no longer holds
 * `expected` (someone changed it since it was read). On failure the original is untouched
 * and the temp file removed.
 * @throws ConvertError `io` or `changed-on-disk`
 */
export async function writeTextAtomic(path: string, expected: string, text: string): Promise<void> {
  let target = path;
  let stat: Stats;
  try {
    stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      target = realpathSync(path);
      stat = statSync(target);
    }
  } catch (error) {
    throw ioError('cannot resolve', error);
  }
  const dir = dirname(target);
  removeStaleTemps(dir);
  const temp = join(dir, `.${basename(target)}.ro-convert-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  // Plain system calls are synchronous (microseconds each, no round trip through libuv's pool);
  // only the fsyncs, which wait on the disk, are asynchronous, so they overlap with converting
  // the next files.
  let fd: number | null = null;
  try {
    fd = createTemp(temp);
    writeFileSync(fd, text, 'utf8');
    fchmodSync(fd, stat.mode & 0o7777);
    if (process.getuid?.() === 0 || stat.uid === process.getuid?.()) {
      try {
        fchownSync(fd, stat.uid, stat.gid);
      } catch {
        // Keeping the owner is best effort: only root may give a file away.
      }
    }
    await fsyncFd(fd);
    closeSync(fd);
    fd = null;
    beforeRenameHook?.(temp);
    // As late as possible: only the rename itself is left after this comparison.
    if (readText(target) !== expected) {
      throw new ConvertError('changed-on-disk', 'the file changed on disk since it was read; not written (run again)');
    }
    renameSync(temp, target);
    await syncDirectory(dir);
  } catch (error) {
    if (fd !== null) closeQuietly(fd);
    // Only a file this call created (O_EXCL refuses an existing name, e.g. a planted symlink).
    if (inFlight.has(temp)) removeQuietly(temp);
    if (error instanceof ConvertError) throw error;
    throw ioError('cannot write', error);
  } finally {
    inFlight.delete(temp);
  }
}

/**
 * Keeps a file's original text beside it (`PATH` + `suffix`, e.g. `compose.yml.orig`), written
 * atomically like the conversion; an earlier backup of that name is replaced.
 * @throws ConvertError `io`
 */
export async function writeBackup(path: string, suffix: string, original: string): Promise<void> {
  const backup = `${path}${suffix}`;
  try {
    if (!lstatSync(backup, { throwIfNoEntry: false })) writeFileSync(backup, '', { flag: 'wx', mode: statSync(path).mode & 0o7777 });
  } catch (error) {
    throw ioError('cannot write the backup', error);
  }
  await writeTextAtomic(backup, readText(backup), original);
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/**
 * Shared by the main thread and the pool's workers: [stopping, creating]. A signal handler sets
 * `stopping`, then waits until no thread is creating a temp file, then removes the temp files:
 * none can appear after that, in any thread.
 */
let writeGate = new Int32Array(new SharedArrayBuffer(8));
const STOPPING = 0;
const CREATING = 1;

/** The gate's memory, for a worker thread to pass to {@link useWriteGate}. */
export function sharedWriteGate(): SharedArrayBuffer {
  return writeGate.buffer as SharedArrayBuffer;
}

/** Makes this (worker) thread honour the main thread's gate. */
export function useWriteGate(buffer: SharedArrayBuffer): void {
  writeGate = new Int32Array(buffer);
}

/** Creates a temp file exclusively, unless a signal's cleanup has begun. */
function createTemp(temp: string): number {
  Atomics.add(writeGate, CREATING, 1);
  try {
    if (Atomics.load(writeGate, STOPPING)) throw new ConvertError('io', 'cannot write: interrupted');
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    inFlight.add(temp);
    return fd;
  } finally {
    Atomics.sub(writeGate, CREATING, 1);
  }
}

/** Stops every thread from creating temp files, and waits for those creating one now. */
function closeWriteGate(): void {
  Atomics.store(writeGate, STOPPING, 1);
  for (let creating = Atomics.load(writeGate, CREATING); creating !== 0; creating = Atomics.load(writeGate, CREATING)) {
    Atomics.wait(writeGate, CREATING, creating, 5);
  }
}

/** Temp files this thread has created and not yet renamed or removed. */
const inFlight = new Set<string>();
/** `.NAME.ro-convert-PID-RANDOM.tmp`: the names `writeTextAtomic` gives its temp files. */
const TEMP_NAME = /^\..+\.ro-convert-(\d+)-[0-9a-z]+\.tmp$/;
const sweptDirs = new Set<string>();

/**
 * Removes temp files left in `dir` by a run that died before it could (SIGKILL, power loss):
 * ours by name, and only those whose process no longer exists, so a concurrent run's file is
 * never touched. Once per directory per process.
 */
function removeStaleTemps(dir: string): void {
  if (sweptDirs.has(dir)) return;
  sweptDirs.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid)) removeQuietly(join(dir, name));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes every temp file of this process: the ones this thread has in flight, and any named
 * with this process's id in the directories of `paths` (worker threads write there too).
 * Synchronous, for a signal handler.
 */
export function removeOwnTempFiles(paths: readonly string[]): void {
  for (const temp of inFlight) removeQuietly(temp);
  const dirs = new Set<string>();
  for (const path of paths) {
    if (path === '-') continue;
    try {
      dirs.add(dirname(realpathSync(path)));
    } catch {
      // Gone or unreadable: nothing of ours can be next to it.
    }
  }
  const mine = `.ro-convert-${process.pid}-`;
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (name.includes(mine) && TEMP_NAME.test(name)) removeQuietly(join(dir, name));
  }
}

let signalPaths: readonly string[] | null = null;

/**
 * On SIGINT, SIGTERM or SIGHUP during a writing run: stop every thread from creating temp
 * files (worker threads run on during the handler), remove this process's temp files in the
 * directories of `paths`, then die of the same signal. A write on the main thread is never cut
 * in half (a JavaScript handler runs between tasks, so it completes or cleans up first).
 */
export function installSignalCleanup(paths: readonly string[]): void {
  const first = signalPaths === null;
  signalPaths = paths;
  if (!first) return;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      closeWriteGate();
      removeOwnTempFiles(signalPaths ?? []);
      for (const other of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(other);
      process.kill(process.pid, signal);
    });
  }
}

/** Test seam (crash safety, signals, concurrent change): called after the temp file is
 * complete, before the last comparison with the file on disk and the rename. */
let beforeRenameHook: ((temp: string) => void) | undefined =
  process.env.RO_CONVERT_TEST_KILL_BEFORE_RENAME === '1'
    ? () => process.kill(process.pid, 'SIGKILL')
    : process.env.RO_CONVERT_TEST_HOLD_BEFORE_RENAME
      ? (temp) => {
          // Signal tests: say where the temp file is, then hold (synchronously) before the rename.
          writeSync(2, `ro-convert-test: holding ${temp}\n`);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.RO_CONVERT_TEST_HOLD_BEFORE_RENAME));
        }
      : undefined;

/** Replaces the before-rename test seam (tests only). */
export function setBeforeRenameHook(hook: ((temp: string) => void) | undefined): void {
  beforeRenameHook = hook;
}

async function syncDirectory(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  // Some file systems refuse fsync on directories; the rename itself is already atomic.
  await fsyncFd(fd).catch(() => {});
  closeQuietly(fd);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed, or the close failed: nothing left to do with it.
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // It was never created, or is already gone.
  }
}

function ioError(what: string, error: unknown): ConvertError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reason = code === 'ENOSPC' ? 'no space left on device' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'no such file' : code === 'EROFS' ? 'read-only file system' : code === 'EISDIR' ? 'is a directory' : ((error as Error)?.message ?? String(error));
  return new ConvertError('io', `${what}: ${reason}`);
}
