// Where the real-world compose files are, and whether they are there: ../shared/corpus beside
// the project's folder. They are other people's files, kept beside the project and never in its
// repository (docs/adr/0012-real-world-input-beside-the-repository.md). The tests, the copy check
// and the bench all ask this module; a plain .mjs so that scripts/bench.mjs can import it too.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared/corpus, from the project's root. */
export const SHARED_CORPUS_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'corpus');

/**
 * The single-file sets: `real/` (public repositories), `realworld/` (home-lab repositories),
 * `lsio/` (LinuxServer readme and docs blocks, with `docs-examples/`). `projects/` holds
 * multi-file projects, which these tests do not read.
 */
export const CORPUS_SETS = ['real', 'realworld', 'lsio'];

const isYaml = (name) => /\.ya?ml$/.test(name);

/** Every file under `dir`, depth first, in name order. */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** The sets that are missing or hold no compose file. */
function missingSets() {
  return CORPUS_SETS.filter((set) => {
    const dir = join(SHARED_CORPUS_DIR, set);
    return !existsSync(dir) || !statSync(dir).isDirectory() || !filesUnder(dir).some((file) => isYaml(file));
  });
}

const missing = missingSets();

/** Whether ../shared/corpus is there with every set of {@link CORPUS_SETS}. */
export const sharedCorpusPresent = missing.length === 0;

/** Why it is not there (null when it is). */
export const sharedCorpusMissing = sharedCorpusPresent
  ? null
  : `${SHARED_CORPUS_DIR} ${existsSync(SHARED_CORPUS_DIR) ? `lacks ${missing.map((set) => `${set}/`).join(', ')}` : 'does not exist'}`;

/**
 * For a test file that needs the shared corpus: whether its corpus tests run. They run when the
 * corpus is there, and with CI=true also when it is not (then they fail: CI must not skip
 * them). Otherwise this prints the one line saying what `who` skips and why, and returns false.
 */
export function sharedCorpusTestsRun(who, what) {
  if (sharedCorpusPresent || process.env.CI === 'true') return true;
  console.warn(`${who}: SKIPPED ${what}: ${sharedCorpusMissing} (real-world compose files are other people's, kept beside the project, never in it); CI provides ../shared and fails without it`);
  return false;
}

/** The compose files of the given sets in name order, paths absolute; none when the corpus is missing. */
export function corpusFiles(sets = CORPUS_SETS) {
  if (!sharedCorpusPresent) return [];
  return sets.flatMap((set) => filesUnder(join(SHARED_CORPUS_DIR, set)).filter((file) => isYaml(file)));
}

/** Every file under ../shared/corpus (manifests and multi-file projects too); none when it is missing. */
export function allCorpusFiles() {
  return existsSync(SHARED_CORPUS_DIR) ? filesUnder(SHARED_CORPUS_DIR) : [];
}

/**
 * Every k-th compose file of the sets in name order, at most `size` (the same sample on every
 * machine with the same corpus), leaving out files that are not complete on their own:
 * overrides and the other variants Compose reads on top of a main file.
 */
export function corpusSample(size, sets = CORPUS_SETS) {
  const complete = corpusFiles(sets).filter((file) => !/[._-](override|vs|debug|dev|prod|test|ci)\.[^/]*ya?ml$/.test(file));
  const step = Math.max(1, Math.floor(complete.length / size));
  return complete.filter((_, i) => i % step === 0).slice(0, size);
}
