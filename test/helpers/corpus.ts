import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The vendored sample of real compose files (provenance in test/corpus/SOURCES.tsv). */
export const CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'real');

/**
 * Every k-th corpus file in name order, at most `size` (the same sample on every machine),
 * leaving out override files, which are not complete on their own.
 */
export function corpusSample(size: number): string[] {
  const names = readdirSync(CORPUS_DIR)
    .filter((n) => /\.ya?ml$/.test(n) && !/[._-](override|vs|debug|dev|prod|test|ci)\.[^/]*ya?ml$/.test(n))
    .sort();
  const step = Math.max(1, Math.floor(names.length / size));
  return names.filter((_, i) => i % step === 0).slice(0, size).map((n) => join(CORPUS_DIR, n));
}
