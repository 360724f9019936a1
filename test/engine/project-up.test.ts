// One multi-file project (include + override file + env file) converted by the built CLI with no
// path (the current directory's project, as `docker compose up` reads it), then brought up by
// Compose v2 on the real engine: every service runs with a read-only root, runs a script from
// /run, cannot write /etc, and no longer gets PUID/PGID. Images are made locally from busybox,
// containers use network_mode: none, and everything is removed in afterAll, also on failure.
import { describe, expect, it } from 'vitest';
import { sh } from './engine.js';
import { composeEngine, expectProbedReadOnly, probedProject } from './read-only-probe.js';
import { runCli } from '../helpers/cli.js';

const { runs, mustRun } = composeEngine('project-up');

describe.skipIf(!runs && !mustRun)('a multi-file project converted and brought up read-only by Compose v2', () => {
  const { name, dir } = probedProject('proj', (image) => ({
    'compose.yml': `include:\n  - media/compose.yml\nservices:\n  web:\n    image: ${image}\n    network_mode: none\n    environment:\n      TZ: Etc/UTC\n`,
    'compose.override.yml': 'services:\n  web:\n    read_only: false\n    environment:\n      PUID: "1000"\n',
    'media/compose.yml': `services:\n  sonarr:\n    image: ${image}\n    network_mode: none\n    env_file: sonarr.env\n    environment:\n      - PUID=1000\n      - TZ=Etc/UTC\n`,
    'media/sonarr.env': '# only sonarr reads this\nPGID=1000\nAPI_KEY=abc\n',
  }));

  it('converts with no path, passes --check, and every service runs read-only with /run:exec and without PUID/PGID', () => {
    expect(runCli(['--all', '--check', '--quiet'], { cwd: dir }).status).toBe(1);
    const write = runCli(['--all', '--write', '--quiet'], { cwd: dir });
    expect(write.stderr).toBe('');
    expect(write.status).toBe(0);
    expect(runCli(['--all', '--check', '--quiet'], { cwd: dir }).status).toBe(0);
    sh('docker', ['compose', '-p', name, 'up', '-d'], { cwd: dir });
    expectProbedReadOnly(name, ['web', 'sonarr']);
  }, 180_000);
});
