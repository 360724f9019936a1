// Regenerates src/knowledge/linuxserver.json from LinuxServer's read-only facts.
//
//   npm run knowledge:update -- [SOURCE] [--out table.json] [--snapshot snapshot.json]
//
// SOURCE is either a checkout of linuxserver/docker-documentation (a directory: its
// docs/images/*.md and docs/deprecated_images/*.md pages are read, with the checkout's commit) or a
// JSON snapshot in the shape of src/knowledge/sources/linuxserver-readonly.json. A given SOURCE is
// first written to the snapshot (default src/knowledge/sources/linuxserver-readonly.json), which is
// kept in the repository: the table is always generated from that snapshot, and
// test/knowledge.test.ts regenerates it from there to prove the committed table has not drifted.
// With no SOURCE, the committed snapshot is read. Explicit paths are resolved against the cwd.
// The output is deterministic (images sorted by name with plain code-unit order, fixed key order,
// 2-space JSON, final newline). Caveat text is kept verbatim apart from splitting into bullets: it
// is quoted to users as-is.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SNAPSHOT = resolve(projectRoot, 'src/knowledge/sources/linuxserver-readonly.json');
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
  let snapshot;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' || arg === '-o') {
      const value = argv[++i];
      if (value === undefined) fail(`${arg} needs a path`);
      output = resolve(value);
    } else if (arg === '--snapshot') {
      const value = argv[++i];
      if (value === undefined) fail(`${arg} needs a path`);
      snapshot = resolve(value);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run knowledge:update -- [docs-checkout/ | snapshot.json] [--out table.json] [--snapshot snapshot.json]\n');
      process.exit(0);
    } else if (arg.startsWith('-')) {
      fail(`unknown option ${arg}`);
    } else if (input === undefined) {
      input = resolve(arg);
    } else {
      fail(`unexpected argument ${arg}`);
    }
  }
  return { input, output: output ?? DEFAULT_OUTPUT, snapshot: snapshot ?? DEFAULT_SNAPSHOT };
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

/**
 * The body of a `## TITLE` section of a docs page (up to the next `## ` heading), or null when the
 * page has none.
 */
function section(page, title) {
  const lines = page.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `## ${title}`);
  if (start < 0) return null;
  const end = lines.findIndex((line, i) => i > start && /^##\s/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The `### Caveats` list of a section, as the markdown the snapshot keeps (null: none). */
function caveatsOf(body) {
  if (body === null) return null;
  const match = /^###\s+Caveats\s*$/m.exec(body);
  if (!match) return null;
  const text = body.slice(match.index + match[0].length).replace(/^###[\s\S]*$/m, '').trim();
  return text === '' ? null : text;
}

/**
 * Reads a checkout of linuxserver/docker-documentation into the snapshot's shape. Each image page
 * renders its readme-vars.yml: a `## Read-Only Operation` section when `readonly_supported` is
 * true, `## Non-Root Operation` when `nonroot_supported` is, each with an optional `### Caveats`
 * list (`readonly_message`, `nonroot_message`).
 */
function readDocsCheckout(dir) {
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  let commit;
  let date;
  try {
    commit = git('rev-parse', 'HEAD');
    date = git('log', '-1', '--format=%cs');
  } catch {
    fail(`${dir} is not a git checkout of linuxserver/docker-documentation (its commit is the provenance)`);
  }
  const images = [];
  const without = [];
  for (const [folder, deprecated] of [['docs/images', false], ['docs/deprecated_images', true]]) {
    const path = join(dir, folder);
    if (!existsSync(path)) fail(`${dir} has no ${folder}: not a docker-documentation checkout`);
    for (const file of readdirSync(path).filter((f) => /^docker-.+\.md$/.test(f)).sort(byCodeUnit)) {
      const image = basename(file, '.md').slice('docker-'.length);
      const page = readFileSync(join(path, file), 'utf8');
      const readonly = section(page, 'Read-Only Operation');
      const nonroot = section(page, 'Non-Root Operation');
      if (readonly === null && nonroot === null) {
        if (!deprecated) without.push(image);
        continue;
      }
      images.push({
        image,
        deprecated,
        readonly_supported: readonly !== null,
        readonly_caveats: caveatsOf(readonly),
        nonroot_supported: nonroot !== null,
        nonroot_caveats: caveatsOf(nonroot),
        source: `linuxserver/docker-documentation@${commit}:${folder}/${file}`,
      });
    }
  }
  return {
    generated_from: `linuxserver/docker-documentation HEAD ${commit} (${date}), docs/images/*.md and docs/deprecated_images/*.md, rendered from each image repo's readme-vars.yml (readonly_supported/readonly_message/nonroot_supported/nonroot_message) by linuxserver/docker-jenkins-builder templates`,
    note: 'false vs absent cannot be distinguished from rendered docs; any image not listed here has no Read-Only/Non-Root section (treated as unsupported)',
    images,
    images_without_readonly_section: without,
  };
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const { input, output, snapshot } = parseArgs(process.argv.slice(2));

let source;
if (input === undefined) {
  source = readJson(snapshot);
} else {
  source = existsSync(input) && statSync(input).isDirectory() ? readDocsCheckout(input) : readJson(input);
  // The repository keeps the source it was generated from, so the drift test needs nothing else.
  writeFileSync(snapshot, `${JSON.stringify(source, null, 1)}\n`);
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
