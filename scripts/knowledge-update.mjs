// Regenerates src/knowledge/linuxserver.json from the shared LinuxServer read-only snapshot.
//
//   node scripts/knowledge-update.mjs [path/to/linuxserver-readonly.json] [--out path/to/output.json]
//
// Defaults (resolved from the project root, so the script works from any cwd):
//   input  ../shared/data/linuxserver-readonly.json
//   output src/knowledge/linuxserver.json
// Explicit paths are resolved against the cwd. The output is deterministic (images sorted by name
// with plain code-unit order, fixed key order, 2-space JSON, final newline) so the committed file can
// be compared byte-for-byte against a fresh run (test/knowledge.test.ts does exactly that).
// Caveat text is kept verbatim apart from splitting into bullets: it is quoted to users as-is.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_INPUT = resolve(projectRoot, '../shared/data/linuxserver-readonly.json');
const DEFAULT_OUTPUT = resolve(projectRoot, 'src/knowledge/linuxserver.json');

// The images whose readme says /tmp must be a tmpfs, per docs/linuxserver-read-only.md. The data is
// the source of truth; this list only catches a detector that silently drifted from the docs.
const EXPECTED_TMP_TMPFS = ['bookstack', 'code-server', 'ddclient', 'mariadb', 'nginx', 'phpmyadmin', 'swag'];

// "`/tmp` must be mounted to tmpfs" and ddclient's "`/tmp` must also be mounted to tmpfs for this image."
const TMP_TMPFS = /`?\/tmp`?\s+must\s+(?:also\s+)?be\s+mounted\s+(?:to|as|on)\s+(?:a\s+)?tmpfs/i;
const GENERATED_FROM = /^(\S+\/\S+)\s+\S+\s+([0-9a-f]{40})\s+\((\d{4}-\d{2}-\d{2})\)/;
const BULLET = /^[*-]\s+/;

function fail(message) {
  process.stderr.write(`knowledge-update: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  let input;
  let output;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' || arg === '-o') {
      const value = argv[++i];
      if (value === undefined) fail(`${arg} needs a path`);
      output = resolve(value);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: node scripts/knowledge-update.mjs [input.json] [--out output.json]\n');
      process.exit(0);
    } else if (arg.startsWith('-')) {
      fail(`unknown option ${arg}`);
    } else if (input === undefined) {
      input = resolve(arg);
    } else {
      fail(`unexpected argument ${arg}`);
    }
  }
  return { input: input ?? DEFAULT_INPUT, output: output ?? DEFAULT_OUTPUT };
}

/**
 * Splits readme caveat markdown into bullets: a line starting with "* " or "- " opens a bullet, an
 * unmarked line right after a bullet continues it (wrapped markdown), any other unmarked line is a
 * bullet of its own (ddclient's caveat is a plain sentence). null means no caveats.
 */
function splitCaveats(text, where) {
  if (text === null || text === undefined) return [];
  if (typeof text !== 'string') fail(`${where}: expected a string or null, got ${typeof text}`);
  const bullets = [];
  let open = false;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') {
      open = false;
      continue;
    }
    if (BULLET.test(trimmed)) {
      const body = trimmed.replace(BULLET, '').trim();
      if (body === '') {
        open = false;
        continue;
      }
      bullets.push(body);
      open = true;
    } else if (open) {
      bullets[bullets.length - 1] += ` ${trimmed}`;
    } else {
      bullets.push(trimmed);
    }
  }
  return bullets;
}

function expectBoolean(value, where) {
  if (typeof value !== 'boolean') fail(`${where}: expected a boolean, got ${JSON.stringify(value)}`);
  return value;
}

function expectString(value, where) {
  if (typeof value !== 'string' || value === '') fail(`${where}: expected a non-empty string`);
  return value;
}

// Plain code-unit order: localeCompare would depend on the ICU data of the machine running it.
const byCodeUnit = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

const { input, output } = parseArgs(process.argv.slice(2));

let source;
try {
  source = JSON.parse(readFileSync(input, 'utf8'));
} catch (error) {
  fail(`cannot read ${input}: ${error instanceof Error ? error.message : String(error)}`);
}

const generatedFrom = expectString(source.generated_from, 'generated_from');
const note = expectString(source.note, 'note');
const provenanceMatch = GENERATED_FROM.exec(generatedFrom);
if (!provenanceMatch) fail(`generated_from does not name "<owner/repo> <ref> <40-hex commit> (<YYYY-MM-DD>)": ${generatedFrom}`);
const [, repository, commit, date] = provenanceMatch;
if (repository !== 'linuxserver/docker-documentation') fail(`unexpected source repository ${repository}`);
if (!Array.isArray(source.images)) fail('images: expected an array');
if (!Array.isArray(source.images_without_readonly_section)) fail('images_without_readonly_section: expected an array');

const warnings = [];
const records = new Map();
for (const [index, raw] of source.images.entries()) {
  const name = expectString(raw?.image, `images[${index}].image`);
  const where = `images[${index}] (${name})`;
  if (records.has(name)) fail(`${where}: duplicate image`);
  const recordSource = expectString(raw.source, `${where}.source`);
  // Every record must come from the same docs commit as the snapshot header.
  if (!recordSource.startsWith(`${repository}@${commit}:`)) warnings.push(`${where}: source ${recordSource} is not from ${repository}@${commit}`);
  const readonlyCaveats = splitCaveats(raw.readonly_caveats, `${where}.readonly_caveats`);
  records.set(name, {
    readonly_supported: expectBoolean(raw.readonly_supported, `${where}.readonly_supported`),
    readonly_caveats: readonlyCaveats,
    needs_tmp_tmpfs: readonlyCaveats.some((caveat) => TMP_TMPFS.test(caveat)),
    nonroot_supported: expectBoolean(raw.nonroot_supported, `${where}.nonroot_supported`),
    nonroot_caveats: splitCaveats(raw.nonroot_caveats, `${where}.nonroot_caveats`),
    deprecated: expectBoolean(raw.deprecated, `${where}.deprecated`),
    source: recordSource,
  });
}

const withoutSection = source.images_without_readonly_section.map((name, index) => expectString(name, `images_without_readonly_section[${index}]`));
if (new Set(withoutSection).size !== withoutSection.length) fail('images_without_readonly_section: duplicate names');
const overlap = withoutSection.filter((name) => records.has(name));
if (overlap.length > 0) fail(`images both with and without a read-only section: ${overlap.join(', ')}`);

const tmpfsImages = [...records].filter(([, record]) => record.needs_tmp_tmpfs).map(([name]) => name).sort(byCodeUnit);
if (tmpfsImages.join(',') !== EXPECTED_TMP_TMPFS.join(',')) {
  warnings.push(`needs_tmp_tmpfs images differ from the docs: data [${tmpfsImages.join(', ')}], docs [${EXPECTED_TMP_TMPFS.join(', ')}]`);
}

const images = {};
for (const name of [...records.keys()].sort(byCodeUnit)) images[name] = records.get(name);

const result = {
  provenance: { repository, commit, date, generated_from: generatedFrom, note },
  images,
  images_without_readonly_section: [...withoutSection].sort(byCodeUnit),
};

writeFileSync(output, `${JSON.stringify(result, null, 2)}\n`);
for (const warning of warnings) process.stderr.write(`knowledge-update: warning: ${warning}\n`);
process.stdout.write(
  `knowledge-update: wrote ${relative(process.cwd(), output) || output}: ${records.size} images, ` +
    `${withoutSection.length} without a read-only section, from ${repository}@${commit} (${date})\n`,
);
