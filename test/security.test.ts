// Hostile input and hostile file systems: YAML tags are data, never code; alias bombs and deep
// nesting are bounded; only the named file is written (no symlink followed for the temp file);
// `--redact` masks secret values in printed diffs.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { convert } from '../src/convert.js';
import { ConvertError } from '../src/parse/errors.js';
import { writeTextAtomic } from '../src/io/files.js';
import { redactDiff, redactLine } from '../src/report/redact.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const base = mkdtempSync(join(tmpdir(), 'ro-convert-security-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(base, `case-${n++}`);
  mkdirSync(dir);
  return dir;
};
const runCli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('YAML tags are data, never code', () => {
  const marker = join(base, 'pwned');
  const tagged = [
    'x-evil: !!js/function "function () { require(\'fs\').writeFileSync(\'MARKER\', \'x\') }"',
    'x-py: !!python/object/apply:os.system ["touch MARKER"]',
    'services:',
    '  web:',
    '    image: lscr.io/linuxserver/sonarr',
    '    command: !!js/eval "require(\'fs\').writeFileSync(\'MARKER\', \'x\')"',
    '    labels: !Custom',
    '      a: !Ref other',
    '    environment:',
    '      - PUID=1000',
    '      - TZ=!!js/undefined',
    '',
  ]
    .join('\n')
    .replaceAll('MARKER', marker);

  it('converts around them, keeps every tag byte, evaluates nothing (library)', () => {
    const result = convert(tagged, { all: true });
    for (const tag of ['!!js/function', '!!python/object/apply:os.system', '!!js/eval', '!Custom', '!Ref other']) expect(result.output).toContain(tag);
    expect(result.output).toContain('read_only: true');
    expect(result.output).not.toContain('PUID=1000');
    expect(existsSync(marker)).toBe(false);
  });

  it('the CLI too: exit 0, no stack trace, nothing evaluated', () => {
    const file = join(fresh(), 'compose.yml');
    writeFileSync(file, tagged);
    const result = runCli(['--all', '--write', file]);
    expect(result.status).toBe(0);
    noStack(result.stderr);
    expect(readFileSync(file, 'utf8')).toContain('!!js/function');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('alias bombs and deep nesting are bounded', () => {
  const letters = 'abcdefghij';
  let bomb = `x-a: &a [${Array(10).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i < 10; i++) bomb += `x-${letters[i]}: &${letters[i]} [${Array(10).fill(`*${letters[i - 1]}`).join(', ')}]\n`;
  bomb += 'services:\n  web:\n    image: lscr.io/linuxserver/sonarr\n    labels: *j\n    command: *j\n  db:\n    image: postgres\n    volumes: *j\n';
  const deepFlow = `services:\n  web:\n    image: x\n    labels: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
  let deepBlock = 'services:\n  web:\n    image: x\n    labels:\n';
  for (let i = 0; i < 5000; i++) deepBlock += `${' '.repeat(6 + i)}k${i}:\n`;
  // Past some thousand levels yaml's own CST parser runs out of stack (it recurses on block collections).
  let deepBlockTwoSpaces = 'x-deep:\n';
  for (let i = 1; i <= 2000; i++) deepBlockTwoSpaces += `${'  '.repeat(i)}k${i}:\n`;
  deepBlockTwoSpaces += 'services:\n  web:\n    image: x\n';
  const deepBlockSequence = `x-deep:\n  ${'- '.repeat(5000)}1\nservices:\n  web:\n    image: x\n`;

  // What each must give, exactly: the bomb converts (aliases are kept as aliases, never
  // expanded); nesting deeper than 200 levels is refused as too deep (not as invalid YAML: it may be valid). The bound on
  // time is the vitest timeout (a hang guard), not a wall-clock assertion.
  it.each([
    ['a billion-laughs alias bomb (10^10 nodes expanded)', bomb, null],
    ['50,000 nested flow sequences', deepFlow, 'too-deep'],
    ['5,000 nested block mappings', deepBlock, 'too-deep'],
    ['2,000 nested block mappings, two spaces a level', deepBlockTwoSpaces, 'too-deep'],
    ['5,000 nested block sequences on one line', deepBlockSequence, 'too-deep'],
  ])('%s: a result or the one refusal expected (library and CLI), in bounded time', (_, text, refusal) => {
    if (refusal === null) {
      const result = convert(text, { all: true });
      expect(result.changed).toBe(true);
      expect(parseDocument(result.output).errors).toEqual([]);
    } else {
      expect(() => convert(text, { all: true })).toThrow(expect.objectContaining({ code: refusal }));
    }
    const file = join(fresh(), 'compose.yml');
    writeFileSync(file, text);
    const result = runCli(['--all', '--write', '--quiet', file]);
    noStack(result.stderr);
    if (refusal === null) {
      expect(result.status).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('read_only: true');
    } else {
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('error: nesting deeper than 200 levels is not supported');
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  }, 60_000);
});

/** Every file under `dir` with its content (or link target) and mtime. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, rel);
    const stat = lstatSync(path);
    out[rel] = stat.isSymbolicLink() ? `-> ${readlinkSync(path)}` : stat.isFile() ? `${readFileSync(path, 'utf8')}@${stat.mtimeMs}` : 'dir';
  }
  return out;
}

describe('only the path given is written', () => {
  const sonarr = readFileSync(join(root, 'examples', 'sonarr', 'compose.yml'), 'utf8');
  afterEach(() => vi.restoreAllMocks());

  it('crafted names (leading dash, spaces, newline, ..) write exactly that file and nothing else', () => {
    const dir = fresh();
    const names = ['-w compose.yml', 'a b.yml', 'new\nline.yml', 'compose.yml'];
    for (const name of names) writeFileSync(join(dir, name), sonarr);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'compose.yml'), sonarr);
    for (const name of names.slice(0, 3)) {
      const before = snapshot(dir);
      const target = join(dir, 'sub', '..', name);
      const result = runCli(['--all', '--write', '--quiet', '--', target]);
      expect(result.status, result.stderr).toBe(0);
      const after = snapshot(dir);
      const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
      expect(changed).toEqual([name]);
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    }
  });

  it('a symlink planted at the temp file’s name is not followed (O_EXCL|O_NOFOLLOW): refused, victim untouched', async () => {
    const dir = fresh();
    const file = join(dir, 'compose.yml');
    const victim = join(fresh(), 'victim.txt');
    writeFileSync(file, sonarr);
    writeFileSync(victim, 'precious');
    // Make the temp name predictable, then plant a symlink there.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const planted = join(dir, `.compose.yml.ro-convert-${process.pid}-${(0.5).toString(36).slice(2, 10)}.tmp`);
    symlinkSync(victim, planted);
    let error: unknown;
    try {
      await writeTextAtomic(file, sonarr, convert(sonarr, { all: true }).output);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConvertError);
    expect((error as ConvertError).code).toBe('io');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readFileSync(file, 'utf8')).toBe(sonarr);
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
  });

  it('a symlinked compose file is written through to its target, which stays a regular file with its mode', () => {
    const dir = fresh();
    const real = join(dir, 'real.yml');
    writeFileSync(real, sonarr, { mode: 0o640 });
    symlinkSync('real.yml', join(dir, 'compose.yml'));
    expect(runCli(['--all', '--write', '--quiet', join(dir, 'compose.yml')]).status).toBe(0);
    expect(lstatSync(join(dir, 'compose.yml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('read_only: true');
    expect(statSync(real).mode & 0o777).toBe(0o640);
  });
});

describe('--redact', () => {
  it('masks list, mapping and flow forms, quoted or not, and keeps everything else', () => {
    const cases: [string, string][] = [
      ['      - DB_PASSWORD=hunter2', '      - DB_PASSWORD=***'],
      ['      - "DB_PASSWORD=hunter 2" # note', '      - "DB_PASSWORD=***" # note'],
      ["      - 'api_token=abc'", "      - 'api_token=***'"],
      ['      MY_SECRET: top secret # note', '      MY_SECRET: *** # note'],
      ['      "API_KEY": "abc"', '      "API_KEY": "***"'],
      ["      KEY: 'it''s'", "      KEY: '***'"],
      ['    environment: [A=1, DB_PASSWORD=x, TZ=UTC]', '    environment: [A=1, DB_PASSWORD=***, TZ=UTC]'],
      ['    environment: {A: 1, Db_Password: x y, B_TOKEN: "q"}', '    environment: {A: 1, Db_Password: ***, B_TOKEN: "***"}'],
      ['      TOKEN: abc\r', '      TOKEN: ***\r'],
      ['      - PASSWORD', '      - PASSWORD'],
      ['      PASSWORD:', '      PASSWORD:'],
      ['      - PUID=1000', '      - PUID=1000'],
      ['    image: lscr.io/linuxserver/sonarr:latest', '    image: lscr.io/linuxserver/sonarr:latest'],
    ];
    for (const [line, masked] of cases) expect(redactLine(line)).toBe(masked);
  });

  it('applies to context, added and removed lines, never to headers', () => {
    const patch = [
      '--- a/secret-key.yml',
      '+++ b/secret-key.yml',
      '@@ -1,4 +1,4 @@',
      '     environment:',
      '-      - PUID=1000',
      '-      - OLD_TOKEN=abc',
      '+      - NEW_TOKEN=def',
      '       - DB_PASSWORD=hunter2',
      '',
    ].join('\n');
    expect(redactDiff(patch)).toBe(
      ['--- a/secret-key.yml', '+++ b/secret-key.yml', '@@ -1,4 +1,4 @@', '     environment:', '-      - PUID=1000', '-      - OLD_TOKEN=***', '+      - NEW_TOKEN=***', '       - DB_PASSWORD=***', ''].join('\n'),
    );
  });

  it('the CLI masks secrets in printed diffs only with --redact (the last of --redact and --no-redact wins)', () => {
    const file = join(fresh(), 'compose.yml');
    const text = [
      'services:',
      '  web:',
      '    image: lscr.io/linuxserver/sonarr',
      '    environment:',
      '      - PUID=1000',
      '      - DB_PASSWORD=hunter2',
      '  db:',
      '    image: lscr.io/linuxserver/mariadb',
      '    environment: {PGID: 1000, MYSQL_ROOT_PASSWORD: s3cr3t}',
      '',
    ].join('\n');
    writeFileSync(file, text);
    const plain = runCli(['--all', file]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('hunter2');
    expect(plain.stdout).toContain('s3cr3t');
    const redacted = runCli(['--all', '--redact', file]);
    expect(redacted.status).toBe(0);
    expect(redacted.stdout).not.toContain('hunter2');
    expect(redacted.stdout).not.toContain('s3cr3t');
    expect(redacted.stdout).toContain('DB_PASSWORD=***');
    expect(redacted.stdout).toContain('MYSQL_ROOT_PASSWORD: ***');
    expect(readFileSync(file, 'utf8')).toBe(text);
    // --no-redact after --redact (a CI integration's default, overridden): the last one wins.
    const optedOut = runCli(['--all', '--redact', '--no-redact', file]);
    expect(optedOut.status).toBe(0);
    expect(optedOut.stdout).toBe(plain.stdout);
    expect(runCli(['--all', '--no-redact', '--redact', file]).stdout).toBe(redacted.stdout);
    // Writing with --redact writes the real values: only the printed diff is masked.
    expect(runCli(['--all', '--write', '--redact', file]).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('DB_PASSWORD=hunter2');
    // Six runs of the CLI: seconds on a busy machine.
  }, 60_000);
});
