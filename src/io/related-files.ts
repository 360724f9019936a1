import { basename, dirname, isAbsolute, join } from 'node:path';
import type { RelatedFiles } from '../plan/transform.js';
import { readRegularFile } from './files.js';

/** Env, override or extended files larger than this are not read (they would not be hand-written). */
const MAX_BYTES = 1 << 20;
const BASE_FILE = /^((?:docker-)?compose)\.(ya?ml)$/;

/**
 * The lazy, memoized reader of the files related to the compose file at `composePath`.
 * `siblings`, the compose file names a directory listing found next to it, spares looking up
 * an override file that is not among them (the search lists every regular file it could be).
 */
export function relatedFilesOf(composePath: string, siblings?: readonly string[]): RelatedFiles {
  const dir = dirname(composePath);
  // Env files and extended compose files alike: a path as written, relative to the compose file.
  const texts = new Map<string, string | null>();
  const readBeside = (path: string): string | null | undefined => {
    if (path.includes('$')) return undefined;
    if (!texts.has(path)) texts.set(path, readSmall(isAbsolute(path) ? path : join(dir, path)));
    return texts.get(path)!;
  };
  let override: { path: string; text: string } | null | undefined;
  let overrideRead = false;
  return {
    envFile: readBeside,
    // A path in another compose file is relative to that file's directory, as Compose reads it.
    extendsFiles: { read: readBeside, resolve: (from, path) => (isAbsolute(path) ? path : join(dirname(from), path)) },
    override() {
      if (!overrideRead) {
        overrideRead = true;
        override = findOverride(dir, basename(composePath), siblings);
      }
      return override;
    },
  };
}

function findOverride(dir: string, name: string, siblings: readonly string[] | undefined): { path: string; text: string } | null | undefined {
  const base = BASE_FILE.exec(name);
  if (!base) return undefined;
  const [, stem, ext] = base;
  for (const candidate of [`${stem}.override.${ext}`, `${stem}.override.${ext === 'yml' ? 'yaml' : 'yml'}`]) {
    if (siblings && !siblings.includes(candidate)) continue;
    const path = join(dir, candidate);
    const text = readSmall(path);
    if (text !== null) return { path, text };
  }
  return null;
}

/** A regular file's text, or null when it is missing, unreadable, not a regular file or too large. */
function readSmall(path: string): string | null {
  try {
    return readRegularFile(path, MAX_BYTES).toString('utf8');
  } catch {
    return null;
  }
}
