/**
 * The built command line (`dist/cli.js`), run in child processes on temporary copies:
 * the exit-code contract, what goes to stdout and to stderr, the JSON report, writing
 * (symlinks, modes, no leftovers, concurrent edits), bulk runs, directory search and stdin.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, lstatSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFile, cleanEnv, makeTempDir, prepareCli, readBytes, removeTempDirs, runCli, writeTree } from './helpers/cli.js';
import { FIXTURES_DIR, readExact } from './helpers/fixtures.js';
import { MIN_FILES_FOR_WORKERS, WORKERS_ENV } from '../src/io/pool.js';

const fixture = (name: string, file: 'input.yml' | 'output.yml') => readExact(join(FIXTURES_DIR, name, file));

/** The LinuxServer sonarr sample and its hand-written conversion (`--service sonarr`). */
const SONARR_IN = fixture('sonarr-sample', 'input.yml');
const SONARR_OUT = fixture('sonarr-sample', 'output.yml');
/** A file with a duplicate key at line 5, column 5. */
const BAD = readExact(join(FIXTURES_DIR, 'errors', 'duplicate-key.yml'));
const RADARR_IN = 'services:\n  radarr:\n    image: lscr.io/linuxserver/radarr:latest\n';
const RADARR_OUT = 'services:\n  radarr:\n    image: lscr.io/linuxserver/radarr:latest\n    read_only: true\n    tmpfs:\n      - /run:exec\n';

const ANSI = /\x1b\[[0-9;]*m/;
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
// Runs the command after creating Node's streams on its stdout and stderr: Node makes a pipe
// non-blocking then, and the mode belongs to the pipe, so the command meets partial writes and EAGAIN.
const NONBLOCKING_WRAPPER = 'process.stdout; process.stderr; process.argv.splice(1, 1); require(process.argv[1]);\n';
const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** A temp directory holding `files`. */
function workspace(files: Record<string, string | Uint8Array>): string {
  const dir = makeTempDir();
  writeTree(dir, files);
  return dir;
}

// Each test starts node several times; on a busy machine that takes seconds, not a bug.

beforeAll(() => {
  prepareCli();
});

afterAll(() => {
  removeTempDirs();
});

describe('exit-code contract', () => {
  interface Row {
    name: string;
    files?: Record<string, string>;
    args: string[];
    stdin?: string;
    exit: 0 | 1 | 2;
    /** compose.yml afterwards (it starts as SONARR_IN unless `files` says otherwise). */
    after?: string;
  }
  const rows: Row[] = [
    { name: 'a preview of pending changes exits 0 and writes nothing', args: ['--service', 'sonarr', 'compose.yml'], exit: 0, after: SONARR_IN },
    { name: 'an explicit --dry-run exits 0 and writes nothing', args: ['--dry-run', '--service', 'sonarr', 'compose.yml'], exit: 0, after: SONARR_IN },
    { name: '--write exits 0 and writes the conversion', args: ['--write', '--service', 'sonarr', 'compose.yml'], exit: 0, after: SONARR_OUT },
    { name: '-w is --write', args: ['-w', '-s', 'sonarr', 'compose.yml'], exit: 0, after: SONARR_OUT },
    { name: '--check exits 1 when a file would change, and writes nothing', args: ['--check', '--service', 'sonarr', 'compose.yml'], exit: 1, after: SONARR_IN },
    { name: '--check exits 0 on a converted file', files: { 'compose.yml': SONARR_OUT }, args: ['--check', '--service', 'sonarr', 'compose.yml'], exit: 0, after: SONARR_OUT },
    {
      name: '--check exits 1 on a converted file whose override file sets read_only: false (Compose takes the later file\'s)',
      files: { 'compose.yml': SONARR_OUT, 'compose.override.yml': 'services:\n  sonarr:\n    read_only: false\n' },
      args: ['--check', '--quiet', '--service', 'sonarr', 'compose.yml'],
      exit: 1,
      after: SONARR_OUT,
    },
    {
      name: '--check exits 0 on a converted file whose override file sets read_only: true',
      files: { 'compose.yml': SONARR_OUT, 'compose.override.yml': 'services:\n  sonarr:\n    read_only: true\n' },
      args: ['--check', '--quiet', '--service', 'sonarr', 'compose.yml'],
      exit: 0,
      after: SONARR_OUT,
    },
    { name: '--write on a converted file exits 0 and leaves it as it is', files: { 'compose.yml': SONARR_OUT }, args: ['--write', '--all', 'compose.yml'], exit: 0, after: SONARR_OUT },
    { name: 'no selection is a usage error', args: ['compose.yml'], exit: 2, after: SONARR_IN },
    { name: 'no selection with --write is a usage error that writes nothing', args: ['--write', 'compose.yml'], exit: 2, after: SONARR_IN },
    { name: 'an unknown option is a usage error', args: ['--service', 'sonarr', '--frobnicate', 'compose.yml'], exit: 2, after: SONARR_IN },
    { name: '--write with --check is a usage error', args: ['--write', '--check', '--service', 'sonarr', 'compose.yml'], exit: 2, after: SONARR_IN },
    {
      name: '--stdout with two files is a usage error',
      files: { 'compose.yml': SONARR_IN, 'other/compose.yml': SONARR_IN },
      args: ['--stdout', '--service', 'sonarr', 'compose.yml', 'other/compose.yml'],
      exit: 2,
      after: SONARR_IN,
    },
    { name: 'standard input with --write is a usage error', args: ['--write', '--service', 'sonarr', '-'], stdin: SONARR_IN, exit: 2, after: SONARR_IN },
    { name: "no path at all is the current directory's project (a preview writes nothing)", args: ['--service', 'sonarr'], exit: 0, after: SONARR_IN },
    { name: "no path at all with --check fails while the current directory's project would change", args: ['--check', '--service', 'sonarr'], exit: 1, after: SONARR_IN },
    { name: '--interactive without a terminal is a usage error', args: ['--interactive', '--service', 'sonarr', 'compose.yml'], exit: 2, after: SONARR_IN },
    { name: 'a file that cannot be converted exits 2 and stays untouched', files: { 'compose.yml': BAD }, args: ['--write', '--all', 'compose.yml'], exit: 2, after: BAD },
    { name: 'a missing file exits 2', args: ['--write', '--all', 'compose.yml', 'missing.yml'], exit: 2, after: SONARR_OUT },
    { name: 'a service missing from every file exits 2 and writes nothing', args: ['--write', '--service', 'sonarr,nosuch', 'compose.yml'], exit: 2, after: SONARR_IN },
    {
      name: '--check exits 2, not 1, when one file fails and another would change',
      files: { 'compose.yml': SONARR_IN, 'bad/compose.yml': BAD },
      args: ['--check', '--all', 'compose.yml', 'bad/compose.yml'],
      exit: 2,
      after: SONARR_IN,
    },
    { name: '--help exits 0', args: ['--help'], exit: 0, after: SONARR_IN },
    { name: '--version exits 0', args: ['--version'], exit: 0, after: SONARR_IN },
  ];

  it.each(rows)('$name', (row) => {
    const dir = workspace(row.files ?? { 'compose.yml': SONARR_IN });
    const run = runCli(row.args, { cwd: dir, input: row.stdin });
    expect({ exit: run.status, compose: readBytes(join(dir, 'compose.yml')) }).toEqual({ exit: row.exit, compose: row.after });
  });

  it('--check exits 1 before --write and 0 after it', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const args = ['--service', 'sonarr', 'compose.yml'];
    expect(runCli(['--check', ...args], { cwd: dir }).status).toBe(1);
    expect(runCli(['--write', ...args], { cwd: dir }).status).toBe(0);
    expect(runCli(['--check', ...args], { cwd: dir }).status).toBe(0);
  });

  it('explains a usage error on stderr in one line starting with ro-convert: error:, without a stack trace', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const run = runCli(['compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ro-convert: error: \S[^\n]*\n/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('a file that cannot be converted', () => {
  const cases: { name: string; content: string | Uint8Array; where: RegExp }[] = [
    { name: 'a duplicate key', content: BAD, where: /^compose\.yml:5:5: error: \S[^\n]*$/ },
    { name: 'bytes that are not UTF-8', content: Buffer.from('services:\n  sonarr:\n    image: caf\xe9\n', 'latin1'), where: /^compose\.yml:3:15: error: \S[^\n]*$/ },
    { name: 'a byte that is never UTF-8', content: Buffer.from('services:\n  sonarr:\n    image: caf\xff\n', 'latin1'), where: /^compose\.yml:3:15: error: \S[^\n]*$/ },
    { name: 'a NUL byte (binary)', content: Buffer.from('services:\n  sonarr:\0\n', 'latin1'), where: /^compose\.yml:2:\d+: error: \S[^\n]*$/ },
    { name: 'tab indentation', content: 'services:\n\tsonarr:\n\t\timage: lscr.io/linuxserver/sonarr\n', where: /^compose\.yml:2:\d+: error: \S[^\n]*$/ },
  ];

  it.each(cases)('is reported as one path:line:col: error: line on stderr for $name, without a stack trace, and left untouched', ({ content, where }) => {
    const dir = workspace({ 'compose.yml': content });
    const before = readBytes(join(dir, 'compose.yml'));
    const run = runCli(['--write', '--all', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const errors = lines(run.stderr).filter((line) => line.startsWith('compose.yml'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(where);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(before);
    expect(readdirSync(dir)).toEqual(['compose.yml']);
  });

  it('prints only that line with --quiet', () => {
    const dir = workspace({ 'compose.yml': BAD });
    const run = runCli(['--quiet', '--write', '--all', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^compose\.yml:5:5: error: [^\n]+\n$/);
  });
});

describe('stdout and stderr', () => {
  it('prints the diff alone on stdout, with --- a/ and +++ b/ headers naming the path as given', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const run = runCli(['--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout.startsWith('--- a/compose.yml\n+++ b/compose.yml\n@@ ')).toBe(true);
    expect(lines(run.stdout).every((line) => /^(--- |\+\+\+ |@@ |[ +\\-])/.test(line))).toBe(true);
    expect(run.stdout).toContain('\n-      - PUID=1000\n');
    expect(run.stdout).toContain('\n+    read_only: true\n');
  });

  it('prints warnings and the summary on stderr, never on stdout', () => {
    const dir = workspace({ 'compose.yml': fixture('read-only-variable', 'input.yml') });
    const run = runCli(['--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^compose\.yml:4: warning: [^\n]*read-only-variable/m);
    expect(run.stderr).toMatch(/^ro-convert: /m);
    expect(run.stdout).not.toMatch(/warning|ro-convert/);
  });

  it('produces a patch that git apply accepts and that turns every input into its expected output', () => {
    const cases = ['sonarr-sample', 'crlf-line-endings', 'byte-order-mark', 'comments-between-services', 'blank-lines', 'tmpfs-run-gets-exec', 'env-flow-forms'];
    const dir = workspace(Object.fromEntries(cases.map((name) => [`${name}/compose.yml`, fixture(name, 'input.yml')])));
    const run = runCli(['--all', '.'], { cwd: dir });
    expect(run.status).toBe(0);
    for (const name of cases) expect(run.stdout).toContain(`--- a/${name}/compose.yml\n+++ b/${name}/compose.yml\n`);
    writeFileSync(join(dir, 'change.patch'), run.stdout);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', HOME: dir }) });
    expect(git('init', '-q').status).toBe(0);
    const check = git('apply', '--check', 'change.patch');
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    expect(git('apply', 'change.patch').status).toBe(0);
    for (const name of cases) expect({ name, text: readBytes(join(dir, name, 'compose.yml')) }).toEqual({ name, text: fixture(name, 'output.yml') });
  });

  it('produces a patch that git apply accepts for a file without a final newline', () => {
    const dir = workspace({ 'compose.yml': fixture('no-final-newline', 'input.yml') });
    const run = runCli(['--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('\\ No newline at end of file\n');
    writeFileSync(join(dir, 'change.patch'), run.stdout);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', HOME: dir }) });
    expect(git('init', '-q').status).toBe(0);
    expect(git('apply', 'change.patch').status).toBe(0);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(fixture('no-final-newline', 'output.yml'));
  });

  it('prints nothing at all with --quiet when everything succeeds', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const run = runCli(['--quiet', '--write', '--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(readBytes(join(dir, 'compose.yml'))).toBe(SONARR_OUT);
  });

  it('prints a diff and warnings larger than a pipe whole and in order, also when the pipes are non-blocking', () => {
    const services = Array.from({ length: 1500 }, (_, i) => `  s${i}:\n    image: lscr.io/linuxserver/sonarr:latest\n    environment:\n      - PUID=1000\n      - PGID=1000\n`);
    const dir = workspace({
      'compose.yml': `services:\n${services.join('')}`,
      'nonblocking.cjs': NONBLOCKING_WRAPPER,
    });
    const args = ['--all', 'compose.yml'];
    const blocking = runCli(args, { cwd: dir });
    const nonblocking = spawnSync(process.execPath, [join(dir, 'nonblocking.cjs'), cliFile(), ...args], { cwd: dir, env: cleanEnv(), encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(blocking.status).toBe(0);
    expect(blocking.stdout.length).toBeGreaterThan(1 << 17);
    expect(blocking.stderr.length).toBeGreaterThan(1 << 17);
    expect(blocking.stdout.split('\n--- a/compose.yml\n')).toHaveLength(1);
    expect(lines(blocking.stdout).every((line) => /^(--- |\+\+\+ |@@ |[ +\\-])/.test(line))).toBe(true);
    expect(lines(blocking.stderr).filter((line) => line.startsWith('compose.yml:'))).toHaveLength(1500);
    expect(lines(blocking.stderr).at(-2)).toBe('ro-convert: 1 file: 1 would change (preview, nothing written), 0 unchanged, 0 failed; 1500 services converted');
    expect({ status: nonblocking.status, stdout: nonblocking.stdout, stderr: nonblocking.stderr }).toEqual(blocking);
  });

  it.each([
    ['blocking', []],
    ['non-blocking', ['nonblocking.cjs']],
  ])('finishes a --write quietly when the reader of its diff goes away (%s pipe)', async (_, wrapper) => {
    const services = Array.from({ length: 1500 }, (_, i) => `  s${i}:\n    image: lscr.io/linuxserver/sonarr:latest\n`).join('');
    const dir = workspace({
      ...Object.fromEntries(['a', 'b', 'c'].map((name) => [`stack/${name}/compose.yml`, `services:\n${services}`])),
      'nonblocking.cjs': NONBLOCKING_WRAPPER,
    });
    const child = spawn(process.execPath, [...wrapper, cliFile(), '--all', '--write', 'stack'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    // As `| head -1` does: read the first bytes of diffs larger than a pipe, then close.
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect({ status, summary: lines(stderr).slice(1) }).toEqual({ status: 0, summary: ['ro-convert: 3 files: 3 changed, 0 unchanged, 0 failed; 4500 services converted'] });
    for (const name of ['a', 'b', 'c']) expect(readBytes(join(dir, 'stack', name, 'compose.yml')).split('read_only: true')).toHaveLength(1501);
  });

  it('prints the diff before writing with --write', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const run = runCli(['--write', '--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout.startsWith('--- a/compose.yml\n+++ b/compose.yml\n')).toBe(true);
  });
});

describe('output order and the summary', () => {
  it('--strict: the warnings, then the refusal, then a summary counting the file failed and its services not converted', () => {
    const dir = workspace({ 'a/compose.yml': fixture('read-only-variable', 'input.yml'), 'b/compose.yml': RADARR_IN });
    const run = runCli(['--strict', '--write', '--all', 'a/compose.yml', 'b/compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    const err = lines(run.stderr);
    const warning = err.findIndex((line) => line.startsWith('a/compose.yml:4: warning: '));
    const refusal = err.indexOf('a/compose.yml: error: --strict: refused because of 1 warning; nothing written');
    const summary = err.findIndex((line) => line.startsWith('ro-convert: 2 files: '));
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(refusal).toBeGreaterThan(warning);
    expect(summary).toBeGreaterThan(refusal);
    expect(err[summary]).toBe('ro-convert: 2 files: 1 changed, 0 unchanged, 1 failed; 1 service converted');
    expect(readBytes(join(dir, 'a/compose.yml'))).toBe(fixture('read-only-variable', 'input.yml'));
    expect(readBytes(join(dir, 'b/compose.yml'))).toBe(RADARR_OUT);
    const json = JSON.parse(runCli(['--json', '--strict', '--all', 'a/compose.yml'], { cwd: dir }).stdout) as { summary: { failed: number; servicesConverted: number } };
    expect(json.summary).toMatchObject({ failed: 1, servicesConverted: 0 });
  });

  it('--quiet skips the warnings it would not print, but --strict --quiet still refuses on them', () => {
    // Only warn-companion warns here, a transform that --quiet alone does not run.
    const postgres = 'services:\n  db:\n    image: postgres:16\n';
    const dir = workspace({ 'compose.yml': postgres });
    const strict = runCli(['--strict', '--quiet', '--write', '--all', 'compose.yml'], { cwd: dir });
    // No warning is printed under --quiet: the refusal counts them instead of pointing above.
    expect({ status: strict.status, stderr: strict.stderr }).toEqual({ status: 2, stderr: 'compose.yml: error: --strict: refused because of 1 warning; nothing written\n' });
    expect(readBytes(join(dir, 'compose.yml'))).toBe(postgres);
    writeFileSync(join(dir, 'two.yml'), `${postgres}  cache:\n    image: postgres:15\n`);
    expect(runCli(['--strict', '--quiet', '--check', '--all', 'two.yml'], { cwd: dir }).stderr).toBe('two.yml: error: --strict: refused because of 2 warnings; nothing written\n');
    const quiet = runCli(['--quiet', '--write', '--all', 'compose.yml'], { cwd: dir });
    expect({ status: quiet.status, stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(readBytes(join(dir, 'compose.yml'))).toContain('read_only: true');
  });
});

describe('--check --quiet and the warnings', () => {
  it('a file with warnings only: --check --quiet says nothing and exits 1; with --strict it is refused for them', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const quiet = runCli(['--check', '--quiet', '--all', 'compose.yml'], { cwd: dir });
    expect({ status: quiet.status, stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ status: 1, stdout: '', stderr: '' });
    const strict = runCli(['--check', '--quiet', '--strict', '--all', 'compose.yml'], { cwd: dir });
    expect(strict.status).toBe(2);
    const count = (JSON.parse(runCli(['--check', '--json', '--all', 'compose.yml'], { cwd: dir }).stdout) as { files: { services: { warnings: unknown[] }[] }[] }).files[0]!.services.reduce((n, s) => n + s.warnings.length, 0);
    expect(count).toBe(1);
    expect(strict.stderr).toBe('compose.yml: error: --strict: refused because of 1 warning; nothing written\n');
  });
});

describe('--stdout and standard input', () => {
  it('prints the converted text of standard input with - and --stdout', () => {
    const dir = workspace({});
    const run = runCli(['--service', 'sonarr', '--stdout', '-'], { cwd: dir, input: SONARR_IN });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(SONARR_OUT);
  });

  it('keeps CRLF and a BOM of standard input in the --stdout text', () => {
    const input = fixture('crlf-line-endings', 'input.yml');
    const run = runCli(['--all', '--stdout', '-'], { cwd: workspace({}), input });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(fixture('crlf-line-endings', 'output.yml'));
    const bom = runCli(['--service', 'sonarr', '--stdout', '-'], { cwd: workspace({}), input: Buffer.from(fixture('byte-order-mark', 'input.yml'), 'utf8') });
    expect(bom.stdout).toBe(fixture('byte-order-mark', 'output.yml'));
  });

  it('prints the converted text of one file with --stdout and leaves the file alone', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const run = runCli(['--service', 'sonarr', '--stdout', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(SONARR_OUT);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(SONARR_IN);
  });

  it('previews standard input as a diff without --stdout', () => {
    const run = runCli(['--service', 'sonarr', '-'], { cwd: workspace({}), input: SONARR_IN });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('\n+    read_only: true\n');
  });
});

describe('--json', () => {
  it('prints one JSON document with files (path, status, written, error, services) and a summary', () => {
    const dir = workspace({ 'a/compose.yml': SONARR_IN, 'b/compose.yml': SONARR_OUT, 'c/compose.yml': BAD });
    const run = runCli(['--json', '--service', 'sonarr', 'a/compose.yml', 'b/compose.yml', 'c/compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(['files', 'summary']);
    expect(typeof report.summary).toBe('object');
    const files = report.files as Record<string, unknown>[];
    expect(files.map((f) => Object.keys(f).sort())).toEqual(Array(3).fill(['error', 'path', 'services', 'skippedUntested', 'status', 'written']));
    const [a, b, c] = files as { path: string; status: string; written: boolean; error: Record<string, unknown> | null; services: Record<string, unknown>[] }[];
    expect({ path: a!.path, status: a!.status, written: a!.written, error: a!.error }).toEqual({ path: 'a/compose.yml', status: 'changed', written: false, error: null });
    expect(a!.services.map((s) => Object.keys(s).sort())).toEqual([['changes', 'column', 'line', 'name', 'readOnly', 'warnings']]);
    expect(a!.services[0]!.name).toBe('sonarr');
    expect({ line: a!.services[0]!.line, column: a!.services[0]!.column }).toEqual({ line: 3, column: 3 });
    const changes = a!.services[0]!.changes as { code: string }[];
    expect(changes.map((c) => c.code)).toEqual(expect.arrayContaining(['read-only-added', 'tmpfs-added', 'env-removed']));
    expect(Array.isArray(a!.services[0]!.warnings)).toBe(true);
    expect({ path: b!.path, status: b!.status, written: b!.written, error: b!.error }).toEqual({ path: 'b/compose.yml', status: 'unchanged', written: false, error: null });
    expect({ path: c!.path, status: c!.status, written: c!.written }).toEqual({ path: 'c/compose.yml', status: 'error', written: false });
    expect(c!.error).toEqual(expect.objectContaining({ message: expect.any(String), line: 5, column: 5 }));
  });

  it('marks written files with written: true under --write', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const run = runCli(['--json', '--write', '--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { files: { status: string; written: boolean }[] };
    expect(report.files).toEqual([expect.objectContaining({ status: 'changed', written: true })]);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(SONARR_OUT);
  });
});

describe('writing files', () => {
  it('writes through a symlink to its target and keeps the link', () => {
    const dir = workspace({ 'stacks/real.yml': SONARR_IN });
    symlinkSync('stacks/real.yml', join(dir, 'compose.yml'));
    const run = runCli(['--write', '--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(lstatSync(join(dir, 'compose.yml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'compose.yml'))).toBe('stacks/real.yml');
    expect(readBytes(join(dir, 'stacks/real.yml'))).toBe(SONARR_OUT);
  });

  it('keeps a 0640 file mode', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    chmodSync(join(dir, 'compose.yml'), 0o640);
    const run = runCli(['--write', '--service', 'sonarr', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(SONARR_OUT);
    expect((statSync(join(dir, 'compose.yml')).mode & 0o7777).toString(8)).toBe('640');
  });

  it('leaves no temporary file behind', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    expect(runCli(['--write', '--service', 'sonarr', 'compose.yml'], { cwd: dir }).status).toBe(0);
    expect(readdirSync(dir)).toEqual(['compose.yml']);
  });

  it('keeps CRLF, a BOM and a missing final newline on disk', () => {
    const cases = ['crlf-line-endings', 'byte-order-mark', 'no-final-newline'];
    const dir = workspace(Object.fromEntries(cases.map((name) => [`${name}/compose.yml`, fixture(name, 'input.yml')])));
    const run = runCli(['--write', '--service', 'sonarr,radarr', ...cases.map((name) => `${name}/compose.yml`)], { cwd: dir });
    expect(run.status).toBe(0);
    // no-final-newline names only sonarr in its options; radarr is converted here too.
    const noFinal = fixture('no-final-newline', 'output.yml').replace(
      '    image: lscr.io/linuxserver/radarr:latest\n',
      '    image: lscr.io/linuxserver/radarr:latest\n    read_only: true\n    tmpfs:\n      - /run:exec\n',
    );
    expect(readBytes(join(dir, 'crlf-line-endings/compose.yml'))).toBe(fixture('crlf-line-endings', 'output.yml'));
    expect(readBytes(join(dir, 'byte-order-mark/compose.yml'))).toBe(fixture('byte-order-mark', 'output.yml'));
    expect(readBytes(join(dir, 'no-final-newline/compose.yml'))).toBe(noFinal);
  });

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

  /** Runs the CLI in a pseudo-terminal (util-linux `script`), answering `answer` at the prompt after calling `beforeAnswer`. */
  function interactive(dir: string, args: string[], answer: string, beforeAnswer: () => void): Promise<{ status: number | null; output: string }> {
    const command = [process.execPath, cliFile(), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, env: cleanEnv({ NO_COLOR: '1' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = false;
    return new Promise((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (!answered && /\[y\/N\/q\]/.test(output)) {
          answered = true;
          beforeAnswer();
          child.stdin.write(`${answer}\r`);
        }
      });
      child.on('close', (status) => resolve({ status, output }));
    });
  }

  it.skipIf(!hasScript)('refuses to write a file that changed on disk after it was read (exit 2, the other change kept)', async () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const path = join(dir, 'compose.yml');
    const result = await interactive(dir, ['--interactive', '--service', 'sonarr', 'compose.yml'], 'y', () => appendFileSync(path, '# edited meanwhile\n'));
    expect(result.status).toBe(2);
    expect(stripAnsi(result.output)).toMatch(/compose\.yml: error: [^\n]*changed/);
    expect(readBytes(path)).toBe(`${SONARR_IN}# edited meanwhile\n`);
  });

  it.skipIf(!hasScript)('writes in --interactive mode only when the answer is yes', async () => {
    const dir = workspace({ 'yes/compose.yml': SONARR_IN, 'no/compose.yml': SONARR_IN });
    const yes = await interactive(dir, ['-i', '--service', 'sonarr', 'yes/compose.yml'], 'y', () => undefined);
    const no = await interactive(dir, ['-i', '--service', 'sonarr', 'no/compose.yml'], 'n', () => undefined);
    expect({ yes: yes.status, no: no.status }).toEqual({ yes: 0, no: 0 });
    expect(readBytes(join(dir, 'yes/compose.yml'))).toBe(SONARR_OUT);
    expect(readBytes(join(dir, 'no/compose.yml'))).toBe(SONARR_IN);
  });
});

describe('many files', () => {
  it.each([
    { count: 3, bad: 1, selection: ['--all'] },
    { count: 60, bad: 30, selection: ['--service', 'sonarr'] },
    // On worker threads (asked for: the machine may have too few cores to choose them), which write as they go.
    { count: MIN_FILES_FOR_WORKERS + 16, bad: 600, selection: ['--all'], env: { [WORKERS_ENV]: '2' } },
  ])('converts the other files when file $bad of $count cannot be converted, and exits 2', ({ count, bad, selection, env }: { count: number; bad: number; selection: string[]; env?: Record<string, string> }) => {
    const width = String(count).length;
    const name = (i: number) => `stack-${String(i).padStart(width, '0')}/compose.yml`;
    const files = Object.fromEntries(Array.from({ length: count }, (_, i) => [name(i), i === bad ? BAD : SONARR_IN]));
    const dir = workspace(files);
    const run = runCli(['--write', ...selection, '.'], { cwd: dir, env });
    expect(run.status).toBe(2);
    expect(lines(run.stderr).filter((line) => / error: /.test(line))).toEqual([expect.stringMatching(new RegExp(`^stack-${String(bad).padStart(width, '0')}/compose\\.yml:5:5: error: `))]);
    for (let i = 0; i < count; i++) {
      expect({ file: name(i), text: readBytes(join(dir, name(i))) }).toEqual({ file: name(i), text: i === bad ? BAD : SONARR_OUT });
    }
  });
});

describe('directory search', () => {
  const FOUND = [
    'compose.yml',
    'docker-compose.yaml',
    'sub/compose.override.yml',
    'sub/deep/docker-compose.prod.yml',
    'sub/deep/compose.yaml',
    'vps/docker-compose-VPS.yaml',
    'vps/compose-media.yml',
    'vps/media.compose.yaml',
  ];
  const IGNORED = ['node_modules/pkg/compose.yml', '.git/compose.yml', 'sub/node_modules/docker-compose.yml', 'other.yml', 'mycompose.yml', 'compose.yml.bak', 'docker-compose.txt', 'sub/stack.yaml', 'podman-compose.yml'];

  it('finds (docker-)compose.y(a)ml, their .NAME. and -NAME variants and NAME.compose.y(a)ml recursively, skipping node_modules, .git and other YAML', () => {
    const dir = workspace(Object.fromEntries([...FOUND, ...IGNORED].map((path) => [path, RADARR_IN])));
    const run = runCli(['--json', '--all', '.'], { cwd: dir });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { files: { path: string }[] };
    expect(report.files.map((f) => f.path).sort()).toEqual([...FOUND].sort());
  });

  it('lists the files it found after the diffs, before the summary', () => {
    const dir = workspace({ 'stacks/docker-compose.yaml': RADARR_IN, 'stacks/docker-compose-VPS.yaml': RADARR_IN, 'stacks/notes.yml': RADARR_IN });
    const run = runCli(['--all', 'stacks'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(lines(run.stderr)).toEqual(['ro-convert: stacks: found 2 compose files: docker-compose-VPS.yaml, docker-compose.yaml', expect.stringMatching(/^ro-convert: 2 files: 2 would change/)]);
  });

  it("converts each folder's default file with the override file Compose merges over it (either name family), read_only set where Compose reads it", () => {
    const override = 'services:\n  radarr:\n    read_only: false\n';
    const dir = workspace({ 'a/compose.yml': RADARR_IN, 'a/compose.override.yaml': override, 'b/docker-compose.yml': RADARR_IN, 'b/compose.override.yml': override });
    const run = runCli(['--json', '--all', '.'], { cwd: dir });
    const report = JSON.parse(run.stdout) as { files: { path: string; status: string; services: { warnings: { code: string }[] }[] }[] };
    expect(report.files.map((f) => [f.path, f.status])).toEqual([
      ['a/compose.yml', 'changed'],
      ['a/compose.override.yaml', 'changed'],
      ['b/docker-compose.yml', 'changed'],
      ['b/compose.override.yml', 'changed'],
    ]);
    expect(report.files.flatMap((f) => f.services.flatMap((s) => s.warnings.filter((w) => w.code === 'override-undoes')))).toEqual([]);
    expect(runCli(['--write', '--all', '.'], { cwd: dir }).status).toBe(0);
    for (const file of ['a/compose.override.yaml', 'b/compose.override.yml']) expect(readBytes(join(dir, file))).toBe('services:\n  radarr:\n    read_only: true\n');
    expect(runCli(['--check', '--all', '.'], { cwd: dir }).status).toBe(0);
  });

  it('warns about the override file beside a compose file named alone, which `docker compose -f FILE` does not merge', () => {
    const dir = workspace({ 'compose.yml': RADARR_IN, 'compose.override.yml': 'services:\n  radarr:\n    read_only: false\n' });
    const run = runCli(['--json', '--all', 'compose.yml'], { cwd: dir });
    const report = JSON.parse(run.stdout) as { files: { path: string; services: { warnings: { code: string; message: string }[] }[] }[] };
    expect(report.files.map((f) => f.path)).toEqual(['compose.yml']);
    expect(report.files[0]!.services.flatMap((s) => s.warnings.filter((w) => w.code === 'override-undoes').map((w) => w.message))).toEqual([expect.stringMatching(/^compose\.override\.yml:2 sets read_only: false for radarr/)]);
  });

  it('converts what it finds with --write and leaves skipped files alone', () => {
    const dir = workspace({ 'a/compose.yml': RADARR_IN, 'a/docker-compose-VPS.yaml': RADARR_IN, 'a/b.compose.yml': RADARR_IN, 'node_modules/x/compose.yml': RADARR_IN, 'a/notes.yml': RADARR_IN });
    const run = runCli(['--write', '--all', '.'], { cwd: dir });
    expect(run.status).toBe(0);
    for (const file of ['a/compose.yml', 'a/docker-compose-VPS.yaml', 'a/b.compose.yml']) expect({ file, text: readBytes(join(dir, file)) }).toEqual({ file, text: RADARR_OUT });
    expect(readBytes(join(dir, 'node_modules/x/compose.yml'))).toBe(RADARR_IN);
    expect(readBytes(join(dir, 'a/notes.yml'))).toBe(RADARR_IN);
  });

  it('--check . fails while one compose file of the folder is left, and passes once it is converted', () => {
    const dir = workspace({ 'docker-compose.yaml': RADARR_IN, 'docker-compose-VPS.yaml': RADARR_IN });
    expect(runCli(['--write', '--all', 'docker-compose.yaml'], { cwd: dir }).status).toBe(0);
    const pending = runCli(['--check', '--all', '.'], { cwd: dir });
    expect(pending.status).toBe(1);
    expect(pending.stdout).toContain('+++ b/docker-compose-VPS.yaml\n');
    expect(runCli(['--write', '--all', '.'], { cwd: dir }).status).toBe(0);
    expect(runCli(['--check', '--all', '.'], { cwd: dir }).status).toBe(0);
  });

  it('exits 2 when a directory holds no compose file, naming the names it looked for (text and --json)', () => {
    const dir = workspace({ 'stacks/notes.yml': RADARR_IN, 'other/compose.yml': RADARR_IN });
    const run = runCli(['--all', 'stacks', 'other'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('stacks: error: no compose files here (looked for (docker-)compose.y(a)ml, (docker-)compose.NAME.y(a)ml, (docker-)compose-NAME.y(a)ml, NAME.compose.y(a)ml)\n');
    // The other directory is still converted (previewed).
    expect(run.stdout).toContain('+++ b/other/compose.yml\n');
    const json = runCli(['--json', '--all', 'stacks'], { cwd: dir });
    expect(json.status).toBe(2);
    expect((JSON.parse(json.stdout) as { files: unknown[] }).files).toEqual([
      { path: 'stacks', status: 'error', written: false, error: { code: 'no-compose-files', message: expect.stringContaining('looked for'), line: null, column: null }, services: [], skippedUntested: [] },
    ]);
  });
});

describe('each real file once', () => {
  it('converts compose.yml once when docker-compose.yml links to it, and says so', () => {
    const dir = workspace({ 'stack/compose.yml': RADARR_IN });
    symlinkSync('compose.yml', join(dir, 'stack/docker-compose.yml'));
    const run = runCli(['--write', '--all', 'stack'], { cwd: dir });
    expect({ status: run.status, errors: lines(run.stderr).filter((line) => / error: /.test(line)) }).toEqual({ status: 0, errors: [] });
    expect(run.stdout.match(/^\+\+\+ /gm)).toHaveLength(1);
    expect(run.stderr).toContain('ro-convert: stack: found 2 compose files: compose.yml, docker-compose.yml (same file as stack/compose.yml)\n');
    expect(run.stderr).toContain('ro-convert: 1 file: 1 changed');
    expect(readBytes(join(dir, 'stack/compose.yml'))).toBe(RADARR_OUT);
    expect(lstatSync(join(dir, 'stack/docker-compose.yml')).isSymbolicLink()).toBe(true);
    expect(runCli(['--check', '--all', 'stack'], { cwd: dir }).status).toBe(0);
  });

  it('converts a file named twice on the command line (directly and through a link) once', () => {
    const dir = workspace({ 'compose.yml': RADARR_IN });
    symlinkSync('compose.yml', join(dir, 'link.yml'));
    const run = runCli(['--json', '--write', '--all', 'compose.yml', './compose.yml', 'link.yml', '.'], { cwd: dir });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { files: { path: string; written: boolean }[] };
    expect(report.files).toEqual([expect.objectContaining({ path: 'compose.yml', written: true })]);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(RADARR_OUT);
  });
  it('converts a tree searched twice (through a directory link and directly) once', () => {
    const dir = workspace({ 'stacks/media/compose.yml': RADARR_IN });
    symlinkSync('stacks', join(dir, 'linked'));
    const run = runCli(['--json', '--write', '--all', 'linked', 'stacks/media'], { cwd: dir });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { files: { path: string; written: boolean }[] };
    expect(report.files).toEqual([expect.objectContaining({ path: 'linked/media/compose.yml', written: true })]);
    expect(readBytes(join(dir, 'stacks/media/compose.yml'))).toBe(RADARR_OUT);
  });
});

describe("a file's own error comes first, with its position, whatever the selection", () => {
  const broken: { name: string; files: Record<string, string>; line: RegExp; code: string }[] = [
    { name: 'a YAML mistake', files: { 'compose.yml': 'services:\n  sonarr:\n    image: x\n   bad: [\n' }, line: /^compose\.yml:4:1: error: invalid YAML: /, code: 'invalid-yaml' },
    { name: 'an empty file', files: { 'compose.yml': '' }, line: /^compose\.yml:1:1: error: empty file/, code: 'empty-file' },
    { name: 'a missing file', files: {}, line: /^compose\.yml: error: cannot read: no such file$/, code: 'io' },
  ];
  const selections = [['--service', 'sonarr'], ['--service', 'nope'], ['--all']];

  it.each(broken.flatMap((c) => selections.map((selection) => ({ ...c, selection }))))('$name with $selection: that error alone, in text and --json', ({ files, line, code, selection }) => {
    const dir = workspace(files);
    const text = runCli([...selection, 'compose.yml'], { cwd: dir });
    expect(text.status).toBe(2);
    expect(text.stdout).toBe('');
    const errors = lines(text.stderr).filter((l) => / error: /.test(l));
    expect(errors).toEqual([expect.stringMatching(line)]);
    const json = runCli(['--json', ...selection, 'compose.yml'], { cwd: dir });
    expect(json.status).toBe(2);
    const report = JSON.parse(json.stdout) as { files: { path: string; status: string; error: { code: string } }[]; summary: { failed: number } };
    expect(report.files).toEqual([expect.objectContaining({ path: 'compose.yml', status: 'error', error: expect.objectContaining({ code }) })]);
    expect(report.summary.failed).toBe(1);
  });
});

describe('named services across files', () => {
  it('names each file that parsed with the services it has when a service is in none, and writes nothing', () => {
    const dir = workspace({ 'a/compose.yml': SONARR_IN, 'b/compose.yml': RADARR_IN, 'c/compose.yml': BAD });
    const run = runCli(['--write', '--service', 'sonarr,lidarr', 'a/compose.yml', 'b/compose.yml', 'c/compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr).filter((line) => / error: /.test(line))).toEqual([
      'a/compose.yml: error: no service lidarr here (services: sonarr)',
      'b/compose.yml: error: no service lidarr here (services: radarr)',
      expect.stringMatching(/^c\/compose\.yml:5:5: error: /),
    ]);
    expect(readBytes(join(dir, 'a/compose.yml'))).toBe(SONARR_IN);
    expect(readBytes(join(dir, 'b/compose.yml'))).toBe(RADARR_IN);
  });

  it('says `compose.yml: error: no service nope here (services: sonarr, radarr)`, and --json gives each file its error', () => {
    const compose = 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n  radarr:\n    image: lscr.io/linuxserver/radarr\n';
    const dir = workspace({ 'compose.yml': compose });
    const run = runCli(['--service', 'nope,other', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(lines(run.stderr)[0]).toBe('compose.yml: error: no services nope, other here (services: sonarr, radarr)');
    const single = runCli(['--service', 'nope', 'compose.yml'], { cwd: dir });
    expect(lines(single.stderr)[0]).toBe('compose.yml: error: no service nope here (services: sonarr, radarr)');
    const json = runCli(['--json', '--service', 'sonarr,nope', 'compose.yml'], { cwd: dir });
    expect(json.status).toBe(2);
    const report = JSON.parse(json.stdout) as { files: { status: string; error: unknown }[]; summary: { failed: number; servicesConverted: number } };
    expect(report.files).toEqual([expect.objectContaining({ status: 'error', error: { code: 'unknown-service', message: 'no service nope here (services: sonarr, radarr)', line: null, column: null } })]);
    expect(report.summary).toMatchObject({ failed: 1, servicesConverted: 0 });
  });

  it('accepts a service that exists in only one of the files and converts it there', () => {
    const dir = workspace({ 'a/compose.yml': SONARR_IN, 'b/compose.yml': RADARR_IN });
    const run = runCli(['--write', '--service', 'radarr', 'a/compose.yml', 'b/compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(readBytes(join(dir, 'a/compose.yml'))).toBe(SONARR_IN);
    expect(readBytes(join(dir, 'b/compose.yml'))).toBe(RADARR_OUT);
  });

  it('reads a path right after --service as a path, not as a second service', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const run = runCli(['--service', 'sonarr', 'compose.yml', '--write'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(SONARR_OUT);
  });
});

describe('colour', () => {
  const rows: { name: string; env: Record<string, string>; args: string[]; colour: boolean }[] = [
    { name: 'plain when stdout is not a terminal', env: {}, args: [], colour: false },
    { name: 'coloured with FORCE_COLOR=1', env: { FORCE_COLOR: '1' }, args: [], colour: true },
    { name: 'plain with NO_COLOR=1', env: { NO_COLOR: '1' }, args: [], colour: false },
    { name: 'coloured with --color, even with NO_COLOR', env: { NO_COLOR: '1' }, args: ['--color'], colour: true },
    { name: 'plain with --no-color, even with FORCE_COLOR', env: { FORCE_COLOR: '1' }, args: ['--no-color'], colour: false },
  ];
  it.each(rows)('prints the diff $name', ({ env, args, colour }) => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const plain = runCli(['--service', 'sonarr', 'compose.yml'], { cwd: dir }).stdout;
    const run = runCli([...args, '--service', 'sonarr', 'compose.yml'], { cwd: dir, env });
    expect(run.status).toBe(0);
    expect(ANSI.test(run.stdout)).toBe(colour);
    expect(stripAnsi(run.stdout)).toBe(plain);
  });

  it('colours the diff when stdout is a terminal', () => {
    const dir = workspace({ 'compose.yml': SONARR_IN });
    const plain = runCli(['--service', 'sonarr', 'compose.yml'], { cwd: dir }).stdout;
    // script(1) runs the command on a pseudo-terminal and copies what it prints (with CRLF).
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${cliFile()}" --service sonarr compose.yml`, '/dev/null'], { cwd: dir, env: cleanEnv(), encoding: 'utf8', input: '' });
    expect(run.status).toBe(0);
    expect(ANSI.test(run.stdout)).toBe(true);
    expect(stripAnsi(run.stdout).replace(/\r\n/g, '\n')).toContain(plain);
  });

  it('never colours the JSON report', () => {
    const run = runCli(['--json', '--color', '--service', 'sonarr', 'compose.yml'], { cwd: workspace({ 'compose.yml': SONARR_IN }), env: { FORCE_COLOR: '1' } });
    expect(ANSI.test(run.stdout)).toBe(false);
    expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
  });
});

it('has the fixture files the CLI tests rely on', () => {
  for (const name of ['sonarr-sample', 'read-only-variable', 'crlf-line-endings', 'byte-order-mark', 'no-final-newline']) {
    expect(existsSync(join(FIXTURES_DIR, name, 'output.yml'))).toBe(true);
  }
});
