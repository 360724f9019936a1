// The command line on multi-file projects (issue 24): what it reads as one project, what it edits
// where, --check on the merged view, one clear line and nothing written for bad input, --backup.
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCli, readBytes, removeTempDirs, runCli, workspace } from './helpers/cli.js';

beforeAll(() => {
  prepareCli();
});
afterAll(() => removeTempDirs());

const STACK = {
  'stack/compose.yml': 'include: [media/compose.yml]\nservices:\n  web:\n    image: nginx:1.27\n',
  'stack/media/compose.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    environment: [PUID=1000, TZ=Etc/UTC]\n',
};
const SONARR_CONVERTED = 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    environment: [TZ=Etc/UTC]\n    read_only: true\n    tmpfs:\n      - /run:exec\n';

describe('include: the issue\'s stack', () => {
  it('--service finds a service of an included file, the diff names it relative to where the command runs', () => {
    const dir = workspace(STACK);
    const run = runCli(['--service', 'sonarr', 'stack/compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--- a/stack/media/compose.yml\n+++ b/stack/media/compose.yml\n');
    expect(run.stdout).not.toContain('a/stack/compose.yml');
  });

  it('--check fails while an included service is writable, --write edits the included file in place, then --check passes', () => {
    const dir = workspace(STACK);
    expect(runCli(['--all', '--check', 'stack/compose.yml'], { cwd: dir }).status).toBe(1);
    expect(runCli(['--service', 'sonarr', '--write', 'stack/compose.yml'], { cwd: dir }).status).toBe(0);
    expect(readBytes(join(dir, 'stack/media/compose.yml'))).toBe(SONARR_CONVERTED);
    expect(readBytes(join(dir, 'stack/compose.yml'))).toBe(STACK['stack/compose.yml']);
    expect(runCli(['--service', 'sonarr', '--check', 'stack/compose.yml'], { cwd: dir }).status).toBe(0);
  });

  it('a directory converts the included file once, as part of the project that includes it', () => {
    const dir = workspace(STACK);
    const run = runCli(['--json', '--service', 'sonarr', 'stack'], { cwd: dir });
    const report = JSON.parse(run.stdout) as { files: { path: string; status: string }[] };
    expect(report.files).toEqual([expect.objectContaining({ path: 'stack/compose.yml', status: 'unchanged' }), expect.objectContaining({ path: 'stack/media/compose.yml', status: 'changed' })]);
  });

  it('an unknown service names the project\'s services and their files, and nothing is written', () => {
    const dir = workspace(STACK);
    const run = runCli(['--write', '--service', 'lidarr', 'stack/compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('stack/compose.yml: error: no service lidarr here (services: sonarr (stack/media/compose.yml), web (stack/compose.yml))');
    expect(readBytes(join(dir, 'stack/media/compose.yml'))).toBe(STACK['stack/media/compose.yml']);
  });

  it('no path: the current directory\'s project', () => {
    const dir = workspace(STACK);
    const run = runCli(['--service', 'sonarr', '--check'], { cwd: join(dir, 'stack') });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('+++ b/media/compose.yml\n');
  });
});

describe('-f chains and override files', () => {
  const FILES = {
    'compose.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      TZ: Etc/UTC\n',
    'compose.prod.yml': 'services:\n  sonarr:\n    read_only: false\n    environment:\n      PUID: "1000"\n',
  };

  it('-f files form one project: read_only is set in the later file that sets it, the variable removed where it is set, /run added where the image is', () => {
    const dir = workspace(FILES);
    expect(runCli(['--service', 'sonarr', '--check', '-f', 'compose.yml', '-f', 'compose.prod.yml'], { cwd: dir }).status).toBe(1);
    expect(runCli(['--service', 'sonarr', '--write', '--file', 'compose.yml', '--file', 'compose.prod.yml'], { cwd: dir }).status).toBe(0);
    expect(readBytes(join(dir, 'compose.prod.yml'))).toBe('services:\n  sonarr:\n    read_only: true\n');
    expect(readBytes(join(dir, 'compose.yml'))).toBe(`${FILES['compose.yml']}    tmpfs:\n      - /run:exec\n`);
    // Either file alone is not the project: the base alone is still writable.
    expect(runCli(['--service', 'sonarr', '--check', 'compose.yml'], { cwd: dir }).status).toBe(1);
    expect(runCli(['--service', 'sonarr', '--check', '-f', 'compose.yml', '-f', 'compose.prod.yml'], { cwd: dir }).status).toBe(0);
  });

  it('an override with read_only: !reset and tmpfs: !override fails --check, and is converted where its tags are', () => {
    const dir = workspace({
      'compose.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    read_only: true\n    tmpfs: [/run:exec]\n',
      'docker-compose.override.yml': 'services:\n  sonarr:\n    read_only: !reset true\n    tmpfs: !override [/tmp]\n',
    });
    expect(runCli(['--all', '--check'], { cwd: dir }).status).toBe(1);
    expect(runCli(['--all', '--write'], { cwd: dir }).status).toBe(0);
    expect(readBytes(join(dir, 'docker-compose.override.yml'))).toBe('services:\n  sonarr:\n    read_only: true\n    tmpfs: !override [/tmp, /run:exec]\n');
    expect(runCli(['--all', '--check'], { cwd: dir }).status).toBe(0);
  });

  it('-f with a path beside it is a usage error', () => {
    const dir = workspace(FILES);
    const run = runCli(['--all', '-f', 'compose.yml', 'compose.prod.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^ro-convert: error: -f and --project-directory name one project/);
  });
});

describe('.env interpolation', () => {
  it('a file named alone whose image the .env gives: converted as that image (PUID stripped), .env untouched', () => {
    const files = { '.env': 'REGISTRY=lscr.io/linuxserver\n', 'compose.yml': 'services:\n  sonarr:\n    image: ${REGISTRY}/sonarr\n    environment: [PUID=1000]\n' };
    const dir = workspace(files);
    const run = runCli(['--all', '--write', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('[image-variable]');
    expect(readBytes(join(dir, 'compose.yml'))).toBe('services:\n  sonarr:\n    image: ${REGISTRY}/sonarr\n    read_only: true\n    tmpfs:\n      - /run:exec\n');
    expect(readBytes(join(dir, '.env'))).toBe(files['.env']);
    expect(runCli(['--all', '--check', 'compose.yml'], { cwd: dir }).status).toBe(0);
  });
});

describe('env files', () => {
  it('removes a stripped variable from an env file only converted services read (other lines kept byte for byte), warns about a shared one, never edits .env', () => {
    const dir = workspace({
      'compose.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    env_file: [sonarr.env, .env]\n  radarr:\n    image: lscr.io/linuxserver/radarr\n    env_file: shared.env\n  web:\n    image: nginx:1.27\n    env_file: shared.env\n',
      'sonarr.env': '# sonarr\r\nPUID=1000\r\nAPI="x y"\r\n',
      'shared.env': 'PGID=1000\nTZ=UTC\n',
      '.env': 'UMASK=022\n',
    });
    const json = JSON.parse(runCli(['--json', '--service', 'sonarr,radarr'], { cwd: dir }).stdout) as { files: { path: string; status: string; services: { name: string; changes: { line: number }[] }[] }[] };
    expect(json.files.map((f) => [f.path, f.status])).toEqual([['compose.yml', 'changed'], ['sonarr.env', 'changed']]);
    expect(json.files[1]!.services.map((s) => [s.name, s.changes.map((c) => c.line)])).toEqual([['sonarr', [2]]]);
    const sarif = runCli(['--format', 'sarif', '--service', 'sonarr,radarr'], { cwd: dir }).stdout;
    expect(sarif).toContain('"uri": "sonarr.env"');
    const run = runCli(['--write', '--service', 'sonarr,radarr'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(readBytes(join(dir, 'sonarr.env'))).toBe('# sonarr\r\nAPI="x y"\r\n');
    expect(readBytes(join(dir, 'shared.env'))).toBe('PGID=1000\nTZ=UTC\n');
    expect(readBytes(join(dir, '.env'))).toBe('UMASK=022\n');
    expect(run.stderr).toContain('env_file shared.env sets PGID (line 1), which no longer applies; left as it is: service web also reads it and is not converted');
    expect(run.stderr).toContain('env_file .env sets UMASK (line 1), which no longer applies; left as it is: the .env file');
    expect(run.stdout).toContain('--- a/sonarr.env\n+++ b/sonarr.env\n');
    expect(runCli(['--check', '--service', 'sonarr,radarr'], { cwd: dir }).status).toBe(0);
  });
});

describe('bad input: one line naming the file, exit 2, nothing written', () => {
  it.each([
    ['a missing -f file', { 'compose.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n' }, ['-f', 'compose.yml', '-f', 'gone.yml'], 'gone.yml: error: no such compose file'],
    ['a missing included file', { 'compose.yml': 'include: [gone.yml]\nservices:\n  a:\n    image: lscr.io/linuxserver/sonarr\n' }, ['compose.yml'], 'compose.yml: error: gone.yml: included file not found'],
    ['an include cycle', { 'compose.yml': 'include: [b.yml]\nservices:\n  a:\n    image: lscr.io/linuxserver/sonarr\n', 'b.yml': 'include: [compose.yml]\n' }, ['compose.yml'], 'compose.yml: error: include cycle'],
    ['a missing required env file, with -f', { 'compose.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n    env_file: gone.env\n' }, ['-f', 'compose.yml'], 'gone.env: error: env file not found (service a reads it'],
    ['a service defined differently in a file and in the file it includes', { 'compose.yml': 'include: [inc.yml]\nservices:\n  a:\n    image: lscr.io/linuxserver/sonarr\n', 'inc.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/radarr\n' }, ['compose.yml'], '/inc.yml; Compose refuses this (conflicts with imported resource)'],
    ['a service defined alike in two included files (Compose takes it once; an edit to one would make them differ)', { 'compose.yml': 'include: [one.yml, two.yml]\n', 'one.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n', 'two.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n' }, ['compose.yml'], 'compose.yml: error: service a is defined alike in one.yml and two.yml'],
    ['an included file that is not a compose file', { 'compose.yml': 'include: [notes.yml]\nservices:\n  a:\n    image: lscr.io/linuxserver/sonarr\n', 'notes.yml': 'title: x\n' }, ['compose.yml'], 'compose.yml: error: notes.yml: not a compose file'],
  ])('%s', (_name, files, args, line) => {
    const dir = workspace(files as Record<string, string>);
    const run = runCli(['--all', '--write', ...args], { cwd: dir });
    expect(run.status).toBe(2);
    const errors = run.stderr.split('\n').filter((l) => l.includes('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(line);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    for (const [path, text] of Object.entries(files as Record<string, string>)) expect(readBytes(join(dir, path))).toBe(text);
  });

  it('a directory holding two projects Compose gives the same name: each refused, naming the other; a third converted', () => {
    const sonarr = 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n';
    const files = { 'nas/media/compose.yml': sonarr, 'pi/media/compose.yml': sonarr, 'pi/Named/compose.yml': `name: tools\n${sonarr}` };
    const dir = workspace(files);
    const run = runCli(['--all', '--write', '.'], { cwd: dir });
    expect(run.status).toBe(2);
    const errors = run.stderr.split('\n').filter((l) => l.includes('error:'));
    expect(errors).toEqual([
      'nas/media/compose.yml: error: project name clash: Compose names both this project and pi/media/compose.yml "media", so `docker compose up` in one takes the other\'s containers; give one a top-level name:, or name the folders one at a time',
      'pi/media/compose.yml: error: project name clash: Compose names both this project and nas/media/compose.yml "media", so `docker compose up` in one takes the other\'s containers; give one a top-level name:, or name the folders one at a time',
    ]);
    expect(readBytes(join(dir, 'nas/media/compose.yml'))).toBe(sonarr);
    expect(readBytes(join(dir, 'pi/media/compose.yml'))).toBe(sonarr);
    expect(readBytes(join(dir, 'pi/Named/compose.yml'))).toContain('read_only: true');
    // Named one at a time, each folder converts.
    expect(runCli(['--all', '--write', 'nas'], { cwd: dir }).status).toBe(0);
  });

  // Env files are often kept out of git: a file named alone converts as the single file it is,
  // and the env-file warning says what Compose will read there.
  it('a file named alone whose required env file is not there converts alone, with the env-file warning', () => {
    const files = { 'compose.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n    env_file: gone.env\n' };
    const dir = workspace(files);
    const run = runCli(['--all', '--write', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('[env-file]');
    expect(readBytes(join(dir, 'compose.yml'))).toContain('read_only: true');
  });

  it('an edit outside the project directory is refused, unless that file is named', () => {
    const dir = workspace({
      'outside/base.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n',
      'project/compose.yml': 'include: [../outside/base.yml]\n',
    });
    const run = runCli(['--all', '--write', 'compose.yml'], { cwd: join(dir, 'project') });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the conversion would edit ../outside/base.yml, outside the project directory');
    expect(readBytes(join(dir, 'outside/base.yml'))).toBe('services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n');
    // Named beside the project: edited there, once, as part of the project that includes it.
    const named = runCli(['--json', '--all', '--write', 'compose.yml', '../outside/base.yml'], { cwd: join(dir, 'project') });
    expect(named.status).toBe(0);
    expect((JSON.parse(named.stdout) as { files: { path: string; written: boolean }[] }).files.map((f) => [f.path, f.written])).toEqual([['compose.yml', false], ['../outside/base.yml', true]]);
    expect(readBytes(join(dir, 'outside/base.yml'))).toContain('read_only: true');
  });

  it('an included file reached through a symlink out of the project is outside it too', () => {
    const dir = workspace({ 'outside/base.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n', 'project/compose.yml': 'include: [linked/base.yml]\n' });
    symlinkSync(join(dir, 'outside'), join(dir, 'project/linked'));
    const run = runCli(['--all', '--write', 'compose.yml'], { cwd: join(dir, 'project') });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the conversion would edit linked/base.yml, outside the project directory');
    expect(readBytes(join(dir, 'outside/base.yml'))).toBe('services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n');
  });
});

describe('--backup', () => {
  it('keeps every changed file of the project beside it (default .orig, or the suffix given)', () => {
    const dir = workspace(STACK);
    expect(runCli(['--all', '--write', '--backup', 'stack/compose.yml'], { cwd: dir }).status).toBe(0);
    expect(readBytes(join(dir, 'stack/media/compose.yml.orig'))).toBe(STACK['stack/media/compose.yml']);
    expect(readBytes(join(dir, 'stack/compose.yml.orig'))).toBe(STACK['stack/compose.yml']);
    const other = workspace(STACK);
    expect(runCli(['--service', 'sonarr', '--write', '--backup=.bak', 'stack/compose.yml'], { cwd: other }).status).toBe(0);
    expect(readBytes(join(other, 'stack/media/compose.yml.bak'))).toBe(STACK['stack/media/compose.yml']);
    expect(existsSync(join(other, 'stack/compose.yml.bak'))).toBe(false);
  });

  it('needs --write', () => {
    const dir = workspace(STACK);
    expect(runCli(['--all', '--backup', 'stack/compose.yml'], { cwd: dir }).status).toBe(2);
  });
});

describe('the report of a project', () => {
  const PROJECT = {
    'compose.yml': 'include: [media/compose.yml]\nservices:\n  web:\n    image: lscr.io/linuxserver/nginx\n    read_only: ${RO:-false}\n',
    'compose.override.yml': 'services:\n  web:\n    environment: [PUID=1000, TZ=Etc/UTC]\n',
    'media/compose.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    env_file: sonarr.env\n',
    'media/sonarr.env': 'PUID=1000\n',
  };

  it('names the project of each file, and counts (and names as writable) each service once however many files edit it', () => {
    const dir = workspace(PROJECT);
    const run = runCli(['--all', '--json'], { cwd: dir });
    const report = JSON.parse(run.stdout) as { files: { path: string; project?: string; services: { name: string }[] }[]; summary: { servicesConverted: number; writable: string[] } };
    expect(report.files.map((f) => [f.path, f.project, f.services.map((s) => s.name)])).toEqual([
      ['compose.yml', 'compose.yml', ['web']],
      ['media/compose.yml', 'compose.yml', ['sonarr']],
      ['compose.override.yml', 'compose.yml', ['web']],
      ['media/sonarr.env', 'compose.yml', ['sonarr']],
    ]);
    expect(report.summary.servicesConverted).toBe(2);
    // read_only is left to ${RO:-false}: web stays writable, named once.
    expect(report.summary.writable).toEqual(['compose.yml: web']);
    const text = runCli(['--all'], { cwd: dir });
    expect(text.stderr).toContain('4 files: 4 would change (preview, nothing written), 0 unchanged, 0 failed; 2 services converted');
  });

  it('a file converted alone has no project field', () => {
    const dir = workspace({ 'compose.yml': 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n' });
    const report = JSON.parse(runCli(['--all', '--json', 'compose.yml'], { cwd: dir }).stdout) as { files: Record<string, unknown>[] };
    expect(report.files[0]).not.toHaveProperty('project');
  });
});

describe('an image with a variable', () => {
  it('only in the tag, unset here: the file names the image (nginx: plain /run, no exec on /var/run)', () => {
    const input = 'services:\n  nginx:\n    image: nginx:${NGINX_IMAGE_TAG}\n    read_only: true\n    tmpfs:\n      - /var/run\n      - /var/cache/nginx\n      - /tmp\n';
    const dir = workspace({ 'compose.yml': input });
    const run = runCli(['--all', '--check', 'compose.yml'], { cwd: dir });
    expect(run.stderr).toContain('[companion-image]');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
