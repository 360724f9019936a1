// Files a pull request can add (git stores symlinks): a compose path that is a symlink to
// /dev/zero, a FIFO named compose.yml, a file past the size cap, related files that are not
// regular files. Each run ends with a clear error naming the file, or (related files) goes on
// without it; none blocks or reads without limit. Hang guards are vitest timeouts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_COMPOSE_BYTES } from '../src/io/files.js';
import { makeTempDir, prepareCli, removeTempDirs, runCliAsync } from './helpers/cli.js';

const SONARR = 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      - PUID=1000\n';

function tree(files: Record<string, string>, extra: (dir: string) => void = () => undefined): string {
  const dir = makeTempDir('ro-convert-hostile-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  extra(dir);
  return dir;
}

const fifo = (path: string) => execFileSync('mkfifo', [path]);

beforeAll(() => {
  prepareCli();
});
afterAll(() => removeTempDirs());

describe('compose files that are not regular files', () => {
  it('a/compose.yml -> /dev/zero in a directory search: an error naming it, the other file still checked', async () => {
    const dir = tree({ 'b/compose.yml': SONARR }, (d) => {
      mkdirSync(join(d, 'a'));
      symlinkSync('/dev/zero', join(d, 'a', 'compose.yml'));
    });
    const run = await runCliAsync(['--all', '--check', '.'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('a/compose.yml: error: cannot read: not a regular file (a device)');
    expect(run.stderr).toMatch(/1 would change/);
  }, 30_000);

  it('a FIFO named compose.yml, named on the command line: refused without opening it for a blocking read', async () => {
    const dir = tree({}, (d) => fifo(join(d, 'compose.yml')));
    const run = await runCliAsync(['--all', '--check', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('compose.yml: error: cannot read: not a regular file (a FIFO)');
  }, 30_000);

  it('a FIFO named compose.yml in a directory search is not a compose file: not opened, not listed', async () => {
    const dir = tree({ 'ok/compose.yml': SONARR }, (d) => {
      mkdirSync(join(d, 'pipe'));
      fifo(join(d, 'pipe', 'compose.yml'));
    });
    const run = await runCliAsync(['--all', '--check', '.'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toContain('pipe/compose.yml');
  }, 30_000);

  it('a symlink to a FIFO in a directory search: an error naming it', async () => {
    const dir = tree({}, (d) => {
      fifo(join(d, 'pipe'));
      symlinkSync('pipe', join(d, 'compose.yml'));
    });
    const run = await runCliAsync(['--all', '--check', '.'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('compose.yml: error: cannot read: not a regular file (a FIFO)');
  }, 30_000);

  it(`a compose file past ${MAX_COMPOSE_BYTES} bytes: "larger than", nothing read into memory beyond the cap`, async () => {
    const dir = tree({ 'compose.yml': `${SONARR}${'#'.repeat(MAX_COMPOSE_BYTES)}\n` });
    const run = await runCliAsync(['--all', '--check', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`compose.yml: error: cannot read: larger than ${MAX_COMPOSE_BYTES} bytes`);
  }, 30_000);

  it('preflight refuses the same way (the file is read before the engine is asked about services)', async () => {
    const dir = tree({}, (d) => symlinkSync('/dev/zero', join(d, 'compose.yml')));
    const run = await runCliAsync(['preflight', '--all', '--docker-cmd', 'true', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('compose.yml: error: cannot read: not a regular file (a device)');
  }, 30_000);
});

describe('related files that are not regular files are left unread, the conversion goes on', () => {
  it.each([
    ['an override file -> /dev/zero', (d: string) => symlinkSync('/dev/zero', join(d, 'compose.override.yml'))],
    ['an override FIFO', (d: string) => fifo(join(d, 'compose.override.yml'))],
    ['an env_file -> /dev/zero', (d: string) => symlinkSync('/dev/zero', join(d, 'app.env'))],
    ['an env_file FIFO', (d: string) => fifo(join(d, 'app.env'))],
  ])('%s', async (_, make) => {
    const dir = tree({ 'compose.yml': `${SONARR}    env_file: app.env\n` }, make);
    // Named alone: a directory search would list the override as a compose file of its own.
    const run = await runCliAsync(['--all', '--check', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/1 would change/);
  }, 30_000);
});

describe('file names with control characters are escaped in every format', () => {
  const NAME = 'compose-\u001b]0;pwned\u0007\u009b2K\u007f.yml';
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it.each([['text'], ['github'], ['sarif'], ['json']])('--format %s', async (format) => {
    const dir = tree({ [`a/${NAME}`]: 'services: [\n', 'b/compose.yml': SONARR });
    const run = await runCliAsync(['--all', '--check', '--format', format, '.'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout + run.stderr).not.toMatch(CONTROL);
    // SARIF names files by URI (percent-encoded), JSON as strings (\u escapes), text and GitHub as \xHH.
    expect(run.stdout + run.stderr).toContain({ sarif: '%C2%9B2K', json: '\\u009b2K' }[format] ?? '\\x9b2K');
  }, 30_000);
});
