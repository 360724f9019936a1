// What a write does to who owns the file and where it lands: the owner and group are kept or
// the write is refused with the reason (never silently changed), and a symlink that takes the
// write outside the tree that was named shows its target in the diff and needs
// --follow-symlinks. The owner tests run the CLI as another user (setpriv), so they need root
// to set the files up: they skip without it, except under CI=true, where they fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFile, makeTempDir, prepareCli, removeTempDirs, runCli } from './helpers/cli.js';

const SONARR = 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      - PUID=1000\n';
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const canSwitchUser = isRoot && hasSetpriv;
const mustRun = process.env.CI === 'true';
if (!canSwitchUser && !mustRun) console.warn('write-safety.test: owner tests SKIPPED — they need root and setpriv (util-linux) to run the CLI as another user; CI runs as root and fails without them');

const temps = (dir: string) => readdirSync(dir).filter((name) => name.includes('.ro-convert-'));

beforeAll(() => {
  prepareCli();
  // The prepared CLI is in a private temp directory: let the other user run it.
  if (canSwitchUser) chmodSync(dirname(cliFile()), 0o755);
});
afterAll(() => removeTempDirs());

/** A directory every user may write, holding compose.yml owned by `uid:gid` with `mode`. */
function sharedFile(uid: number, gid: number, mode: number): { dir: string; file: string } {
  const dir = makeTempDir('ro-convert-owner-');
  chmodSync(dir, 0o777);
  const file = join(dir, 'compose.yml');
  writeFileSync(file, SONARR);
  chownSync(file, uid, gid);
  chmodSync(file, mode);
  return { dir, file };
}

/** Runs the CLI as user and group 1000, with no supplementary groups. */
function runAs1000(args: string[], cwd: string) {
  const result = spawnSync('setpriv', ['--reuid', '1000', '--regid', '1000', '--clear-groups', process.execPath, cliFile(), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!canSwitchUser && !mustRun)('the owner is kept, or the write refused', () => {
  it('can switch users (CI must not skip this)', () => {
    expect(canSwitchUser, 'needs root and setpriv: .ci/run runs as root and installs util-linux').toBe(true);
  });

  it('a writer who is neither the owner nor root: refused with the owner named, the file and its owner untouched', () => {
    const { dir, file } = sharedFile(2000, 2000, 0o666);
    const result = runAs1000(['--all', '--write', '--quiet', 'compose.yml'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('compose.yml: error: cannot write: the file belongs to user 2000, and a copy written by user 1000 cannot keep that (run as its owner, or as root); not written');
    expect(readFileSync(file, 'utf8')).toBe(SONARR);
    expect([statSync(file).uid, statSync(file).gid]).toEqual([2000, 2000]);
    expect(temps(dir)).toEqual([]);
  });

  it('the owner, when the file\'s group is one they are not in: refused with the group named', () => {
    const { dir, file } = sharedFile(1000, 3000, 0o664);
    const result = runAs1000(['--all', '--write', '--quiet', 'compose.yml'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot write: the file belongs to group 3000');
    expect([statSync(file).uid, statSync(file).gid]).toEqual([1000, 3000]);
    expect(readFileSync(file, 'utf8')).toBe(SONARR);
  });

  it('the owner in their own group: written, owner, group and mode kept', () => {
    const { dir, file } = sharedFile(1000, 1000, 0o640);
    const result = runAs1000(['--all', '--write', '--quiet', 'compose.yml'], dir);
    expect(result.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('read_only: true');
    const stat = statSync(file);
    expect([stat.uid, stat.gid, stat.mode & 0o7777]).toEqual([1000, 1000, 0o640]);
  });

  it('root: written, another user\'s owner and group kept', () => {
    const { dir, file } = sharedFile(2000, 3000, 0o644);
    const result = runCli(['--all', '--write', '--quiet', 'compose.yml'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('read_only: true');
    expect([statSync(file).uid, statSync(file).gid]).toEqual([2000, 3000]);
  });
});

describe('a symlink out of the tree that was named', () => {
  /** root/tree/a/compose.yml -> root/outside/compose.yml (and an in-tree link beside it). */
  function layout() {
    const root = makeTempDir('ro-convert-symlink-');
    mkdirSync(join(root, 'tree', 'a'), { recursive: true });
    mkdirSync(join(root, 'tree', 'real'));
    mkdirSync(join(root, 'outside'));
    const target = join(root, 'outside', 'compose.yml');
    writeFileSync(target, SONARR);
    symlinkSync('../../outside/compose.yml', join(root, 'tree', 'a', 'compose.yml'));
    writeFileSync(join(root, 'tree', 'real', 'compose.yml'), SONARR);
    symlinkSync('../real/compose.yml', join(root, 'tree', 'a', 'docker-compose.yml'));
    return { root, target, tree: join(root, 'tree') };
  }

  it('preview: the diff header names the target, not the link', () => {
    const { root, target } = layout();
    const result = runCli(['--all', 'tree'], { cwd: root });
    expect(result.stdout).toContain(`--- a/${relative(root, target)}\n+++ b/${relative(root, target)}\n`);
    expect(result.stdout).toContain('--- a/tree/a/docker-compose.yml\n');
  });

  it('--write without --follow-symlinks: refused naming the target; the in-tree link is written', () => {
    const { root, target, tree } = layout();
    const result = runCli(['--all', '--write', '--quiet', 'tree'], { cwd: root });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`tree/a/compose.yml: error: cannot write: it is a symlink to ${target}, outside the directory that was named (--follow-symlinks writes there)`);
    expect(readFileSync(target, 'utf8')).toBe(SONARR);
    expect(readFileSync(join(tree, 'real', 'compose.yml'), 'utf8')).toContain('read_only: true');
  });

  it('a file named on the command line: its own directory is the tree', () => {
    const { root, target } = layout();
    const result = runCli(['--all', '--write', '--quiet', 'tree/a/compose.yml'], { cwd: root });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`cannot write: it is a symlink to ${target}`);
    expect(readFileSync(target, 'utf8')).toBe(SONARR);
  });

  it('--follow-symlinks writes the target, the link stays a link', () => {
    const { root, target, tree } = layout();
    const result = runCli(['--all', '--write', '--quiet', '--follow-symlinks', 'tree'], { cwd: root });
    expect(result.status).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('read_only: true');
    expect(lstatSync(join(tree, 'a', 'compose.yml')).isSymbolicLink()).toBe(true);
  });
});

// The CLI's help names the flag (a user finds it from the refusal).
it('--help lists --follow-symlinks', () => {
  expect(execFileSync(process.execPath, [cliFile(), '--help'], { encoding: 'utf8' })).toContain('--follow-symlinks');
});
