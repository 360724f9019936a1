// Mount paths are read with the variables Compose interpolates them with (issue 23): the `.env`
// beside the file, the shell's environment over it. Checked on the built command.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCli, readBytes, removeTempDirs, runCli, workspace } from './helpers/cli.js';

beforeAll(() => {
  prepareCli();
});
afterAll(() => removeTempDirs());

const sonarr = (tmpfs: string, more = '') => `services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:latest\n${more}    tmpfs:\n      - ${tmpfs}\n`;
const converted = (tmpfs: string, more = '') => `services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:latest\n${more}    tmpfs:\n      - ${tmpfs}\n    read_only: true\n`;
const envFile = '    env_file: app.env\n';

describe('a variable the .env beside the file sets', () => {
  it.each([
    ['a file named alone', '', {}],
    ['a file whose env_file makes it a project', envFile, { 'app.env': 'TZ=UTC\n' }],
  ])('%s: `${RUN_DIR}` set to /run is the /run entry, which gets exec; --check passes after', (_, more, files) => {
    const dir = workspace({ 'compose.yaml': sonarr('${RUN_DIR}', more), '.env': 'RUN_DIR=/run\n', ...files });
    expect(runCli(['--service', 'sonarr', '--check', 'compose.yaml'], { cwd: dir }).status).toBe(1);
    const run = runCli(['--service', 'sonarr', '--write', 'compose.yaml'], { cwd: dir });
    expect(run.stderr).not.toContain('mount-path-variable');
    expect(run.status).toBe(0);
    expect(readBytes(join(dir, 'compose.yaml'))).toBe(converted('"${RUN_DIR}:exec"', more));
    expect(runCli(['--service', 'sonarr', '--check', 'compose.yaml'], { cwd: dir }).status).toBe(0);
  });

  it('a value other than the default: the default is not the path, /run is added', () => {
    const dir = workspace({ 'compose.yaml': sonarr('${RUN_DIR:-/run}'), '.env': 'RUN_DIR=/tmp/sonarr\n' });
    expect(runCli(['--service', 'sonarr', '--write', 'compose.yaml'], { cwd: dir }).status).toBe(0);
    expect(readBytes(join(dir, 'compose.yaml'))).toBe('services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:latest\n    tmpfs:\n      - ${RUN_DIR:-/run}\n      - /run:exec\n    read_only: true\n');
  });

  it("the shell's value wins over the .env's, as in Compose", () => {
    const dir = workspace({ 'compose.yaml': sonarr('${RUN_DIR}'), '.env': 'RUN_DIR=/tmp/sonarr\n' });
    expect(runCli(['--service', 'sonarr', '--write', 'compose.yaml'], { cwd: dir, env: { RUN_DIR: '/run' } }).status).toBe(0);
    expect(readBytes(join(dir, 'compose.yaml'))).toBe(converted('"${RUN_DIR}:exec"'));
  });

  it('without a value anywhere, the variable may be /run: nothing is added, with the warning', () => {
    const dir = workspace({ 'compose.yaml': sonarr('${RUN_DIR}') });
    const run = runCli(['--service', 'sonarr', '--write', 'compose.yaml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('[mount-path-variable]');
    expect(readBytes(join(dir, 'compose.yaml'))).toBe(converted('${RUN_DIR}'));
  });
});
