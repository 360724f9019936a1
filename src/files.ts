import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConvertError } from './errors.js';
import { createLayout } from './layout.js';

/** File names Compose reads: compose.yml, docker-compose.yaml, compose.override.yml, docker-compose.prod.yml… */
export const COMPOSE_FILE = /^(docker-)?compose(\.[^/]+)?\.ya?ml$/;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/**
 * Expands the command line's paths: files as given (in order), directories searched
 * recursively for compose file names, skipping `.git` and `node_modules` and not following
 * directory symlinks (no loops). `-` stays as is (standard input).
 */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    if (path === '-') out.push(path);
    else if (isDirectory(path)) walk(path, out);
    else out.push(path);
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, out);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && COMPOSE_FILE.test(entry.name) && !isDirectory(path)) {
      out.push(path);
    }
  }
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
    // Find the first bad byte: the longest prefix that decodes.
    let lo = 0;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, lo));
    const { line, column } = createLayout(prefix).position(prefix.length);
    throw new ConvertError('not-utf8', 'not UTF-8 text (binary or another encoding)', line, column);
  }
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
export function writeTextAtomic(path: string, expected: string, text: string): void {
  let target: string;
  try {
    target = realpathSync(path);
  } catch (error) {
    throw ioError('cannot resolve', error);
  }
  const temp = join(dirname(target), `.${basename(target)}.ro-convert-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | null = null;
  try {
    const stat = lstatSync(target);
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    writeAll(fd, Buffer.from(text, 'utf8'));
    fchmodSync(fd, stat.mode & 0o7777);
    if (process.getuid?.() === 0 || stat.uid === process.getuid?.()) tryChown(fd, stat.uid, stat.gid);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    if (readText(target) !== expected) {
      throw new ConvertError('changed-on-disk', 'the file changed on disk since it was read; not written (run again)');
    }
    beforeRenameHook?.(temp);
    renameSync(temp, target);
    syncDirectory(dirname(target));
  } catch (error) {
    if (fd !== null) closeSync(fd);
    removeQuietly(temp);
    if (error instanceof ConvertError) throw error;
    throw ioError('cannot write', error);
  }
}

/** Test seam (crash safety): called after the temp file is complete, before the rename. */
let beforeRenameHook: ((temp: string) => void) | undefined =
  process.env.RO_CONVERT_TEST_KILL_BEFORE_RENAME === '1' ? () => process.kill(process.pid, 'SIGKILL') : undefined;

/** Replaces the before-rename test seam (tests only). */
export function setBeforeRenameHook(hook: ((temp: string) => void) | undefined): void {
  beforeRenameHook = hook;
}

function writeAll(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
}

function tryChown(fd: number, uid: number, gid: number): void {
  try {
    fchownSync(fd, uid, gid);
  } catch {
    // Keeping the owner is best effort for non-root users (they can only give files to themselves).
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is already atomic.
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
