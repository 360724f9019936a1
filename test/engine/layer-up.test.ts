// A project hardened as a layer (issue 25) and brought up by Compose v2 on the real engine: the
// built CLI writes the layer over a two-file -f chain (a mapping environment, where the layer
// resets PUID, and a list one, where it overrides the environment), the chain stays byte for byte,
// and `docker compose -f … -f LAYER up` runs every service with a read-only root, a script run
// from /run, /etc not writable, and no PUID/PGID. Images are made locally from busybox,
// containers use network_mode: none, and everything is removed in afterAll, also on failure.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sh } from './engine.js';
import { composeEngine, expectProbedReadOnly, probedProject } from './read-only-probe.js';
import { readBytes, runCli } from '../helpers/cli.js';

const { runs, mustRun } = composeEngine('layer-up');

describe.skipIf(!runs && !mustRun)('a project hardened as a layer and brought up read-only by Compose v2', () => {
  const files = (image: string) => ({
    'compose.yml': `services:\n  sonarr:\n    image: ${image}\n    network_mode: none\n    environment:\n      PUID: "1000"\n      TZ: Etc/UTC\n  web:\n    image: ${image}\n    network_mode: none\n    environment:\n      - PUID=1000\n      - TZ=Etc/UTC\n`,
    'compose.prod.yml': 'services:\n  web:\n    read_only: false\n    environment:\n      - PGID=1000\n',
  });
  const { name, dir, image } = probedProject('layer', files);

  it('writes the layer, leaves the chain byte for byte, passes --check, and every service runs read-only with /run:exec and without PUID/PGID', () => {
    const chain = ['-f', 'compose.yml', '-f', 'compose.prod.yml'];
    expect(runCli(['--all', ...chain, '--layer', 'ro.yml', '--check', '--quiet'], { cwd: dir }).status).toBe(1);
    const write = runCli(['--all', ...chain, '--layer', 'ro.yml', '--write', '--quiet'], { cwd: dir });
    expect(write.stderr).toBe('');
    expect(write.status).toBe(0);
    for (const [file, text] of Object.entries(files(image))) expect(readBytes(join(dir, file)), file).toBe(text);
    expect(runCli(['--all', ...chain, '--layer', 'ro.yml', '--check', '--quiet'], { cwd: dir }).status).toBe(0);
    sh('docker', ['compose', '-p', name, ...chain, '-f', 'ro.yml', 'up', '-d'], { cwd: dir });
    expectProbedReadOnly(name, ['sonarr', 'web']);
  }, 180_000);
});
