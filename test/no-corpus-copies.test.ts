// No file of the repository is a copy of someone else's file: every tracked file (`git ls-files`)
// is compared with every file of ../shared/corpus, whose manifests say where each came from.
// Such files stay beside the project, never in it (docs/adr/0012-real-world-input-beside-the-repository.md).
// A copy is caught byte for byte, after normalising (BOM, line endings, comments, indentation and
// other whitespace, blank lines), and as a trimmed copy: RUN consecutive normalised lines of one
// corpus file in the same order. Skipped with one line when ../shared/corpus is missing, except
// with CI=true, where that fails.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './helpers/cli.js';
import { allCorpusFiles, SHARED_CORPUS_DIR, sharedCorpusMissing, sharedCorpusTestsRun } from './helpers/shared-corpus.mjs';

/** A normalised text this short says too little to call a file a copy (a one-variable .env). */
const MIN_LINES = 3;
/** Consecutive normalised lines shared with one corpus file that make a trimmed copy. */
const RUN = 10;

/** The lines that carry content: BOM, line endings, comments, indentation and blank lines left out. */
function normalisedLines(bytes: Buffer): string[] {
  return bytes
    .toString('utf8')
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

interface CorpusIndex {
  exact: Map<string, string>;
  normalised: Map<string, string>;
  /** Each pair of consecutive normalised lines → where it starts: [file, line index]. */
  pairs: Map<string, [string, number][]>;
  lines: Map<string, string[]>;
}

function indexCorpus(files: string[]): CorpusIndex {
  const index: CorpusIndex = { exact: new Map(), normalised: new Map(), pairs: new Map(), lines: new Map() };
  for (const file of files) {
    const bytes = readFileSync(file);
    const lines = normalisedLines(bytes);
    index.exact.set(sha(bytes), file);
    if (lines.length >= MIN_LINES) index.normalised.set(sha(lines.join('\n')), file);
    index.lines.set(file, lines);
    for (let i = 0; i + 1 < lines.length; i++) {
      const key = `${lines[i]}\n${lines[i + 1]}`;
      const at = index.pairs.get(key) ?? [];
      at.push([file, i]);
      index.pairs.set(key, at);
    }
  }
  return index;
}

/** How `bytes` copies a corpus file (null when it does not): 'byte for byte', 'normalised', or a run of lines. */
function copyOf(bytes: Buffer, index: CorpusIndex): string | null {
  const exact = index.exact.get(sha(bytes));
  if (exact) return `a byte-for-byte copy of ${relative(PROJECT_ROOT, exact)}`;
  const lines = normalisedLines(bytes);
  const normalised = lines.length >= MIN_LINES ? index.normalised.get(sha(lines.join('\n'))) : undefined;
  if (normalised) return `a copy of ${relative(PROJECT_ROOT, normalised)} (after normalising whitespace, line endings and comments)`;
  for (let i = 0; i + RUN <= lines.length; i++) {
    for (const [file, start] of index.pairs.get(`${lines[i]}\n${lines[i + 1]}`) ?? []) {
      const theirs = index.lines.get(file)!;
      let n = 0;
      while (i + n < lines.length && start + n < theirs.length && lines[i + n] === theirs[start + n]) n++;
      if (n >= RUN) return `${n} consecutive lines of ${relative(PROJECT_ROOT, file)} (lines ${i + 1}-${i + n} here, after normalising)`;
    }
  }
  return null;
}

/** The files a manifest of ../shared/corpus lists, relative to the corpus folder. */
function manifestEntries(): string[] {
  const tsvColumn = (set: string, manifest: string) =>
    readFileSync(join(SHARED_CORPUS_DIR, set, manifest), 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((row) => join(set, row.split('\t')[0]!));
  // lsio/MANIFEST.md: a table per folder (`## docs-examples/` starts the subfolder's), with
  // numbered runs written once (`swag-guide-1..9.yml`).
  let folder = 'lsio';
  const lsio = readFileSync(join(SHARED_CORPUS_DIR, 'lsio', 'MANIFEST.md'), 'utf8')
    .split('\n')
    .flatMap((line) => {
      const heading = /^## (\S+)\/$/.exec(line);
      if (heading) folder = join('lsio', heading[1]!);
      const row = /^\| (\S+?)(?:-(\d+)\.\.(\d+))?(\.ya?ml) \|/.exec(line);
      if (!row) return [];
      const [, stem, from, to, extension] = row;
      if (from === undefined) return [join(folder, `${stem}${extension}`)];
      return Array.from({ length: Number(to) - Number(from) + 1 }, (_, i) => join(folder, `${stem}-${Number(from) + i}${extension}`));
    });
  return [...tsvColumn('real', 'MANIFEST.tsv'), ...tsvColumn('realworld', 'SOURCES.tsv'), ...tsvColumn('projects', 'SOURCES.tsv'), ...lsio];
}

const corpusRuns = sharedCorpusTestsRun('no-corpus-copies.test', "the check that no tracked file is a copy of a file of ../shared/corpus");

describe.skipIf(!corpusRuns)("no tracked file is a copy of a file of ../shared/corpus (other people's files)", () => {
  it('has ../shared/corpus with every file its manifests list (CI must not skip this)', () => {
    expect(sharedCorpusMissing).toBeNull();
    const entries = manifestEntries();
    expect(entries.length).toBeGreaterThan(300);
    expect(entries.filter((entry) => !existsSync(join(SHARED_CORPUS_DIR, entry)))).toEqual([]);
  });

  const index = indexCorpus(allCorpusFiles());

  it('catches a copy byte for byte, normalised and trimmed, and passes a hand-made file', () => {
    const sample = [...index.lines].find(([file, lines]) => /\.ya?ml$/.test(file) && lines.length >= RUN + 4)![0];
    const bytes = readFileSync(sample);
    const lines = bytes.toString('utf8').split(/\r?\n/);
    const reformatted = Buffer.from(`\ufeff# copied\r\n${lines.map((line) => `  ${line.replace(/ {2}/g, '    ')}`).join('\r\n')}\r\n\r\n`);
    const trimmed = Buffer.from(normalisedLines(bytes).slice(2, 2 + RUN).map((line) => `${line}   # ours`).join('\n'));
    expect(copyOf(bytes, index)).toMatch(/^a byte-for-byte copy of /);
    expect(copyOf(reformatted, index)).toMatch(/after normalising whitespace/);
    expect(copyOf(trimmed, index)).toMatch(new RegExp(`^${RUN} consecutive lines of `));
    expect(copyOf(readFileSync(join(PROJECT_ROOT, 'examples', 'sonarr', 'compose.yml')), index)).toBeNull();
  });

  it('finds none among the files git tracks', () => {
    expect(index.exact.size, 'the corpus to compare with is empty').toBeGreaterThan(300);
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(tracked.length).toBeGreaterThan(100);
    const copies = tracked
      .filter((path) => existsSync(join(PROJECT_ROOT, path)))
      .map((path) => ({ path, copy: copyOf(readFileSync(join(PROJECT_ROOT, path)), index) }))
      .filter((file) => file.copy !== null);
    expect(copies).toEqual([]);
  });
});
