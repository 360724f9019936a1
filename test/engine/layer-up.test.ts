// A project hardened as a layer (issue 25) and brought up by Compose v2 on the real engine: the
// built CLI writes the layer over a two-file -f chain (a mapping environment, where the layer
// resets PUID, and a list one, where it overrides the environment), the chain stays byte for byte,
// and `docker compose -f … -f LAYER up` runs every service with a read-only root, a script run
// from /run, /etc not writable, and no PUID/PGID. Images are made locally from busybox,
// containers use network_mode: none, and everything is removed in afterAll, also on failure.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, cleanUp, projectAt, removeProject, sh, tempDir, uniqueName } from './engine.js';
import { composeEngine, expectProbedReadOnly, READ_ONLY_PROBE } from './read-only-probe.js';
import { prepareCli, readBytes, runCli, writeTree } from '../helpers/cli.js';

const { runs, mustRun } = composeEngine('layer-up');

describe.skipIf(!runs && !mustRun)('a project hardened as a layer and brought up read-only by Compose v2', () => {
  const name = uniqueName('layer').replace(/[^a-z0-9]/g, '');
  const image = `lscr.io/linuxserver/${name}:latest`;
  const dir = tempDir('layer-up');
  const files = {
    'compose.yml': `services:\n  sonarr:\n    image: ${image}\n    network_mode: none\n    environment:\n      PUID: "1000"\n      TZ: Etc/UTC\n  web:\n    image: ${image}\n    network_mode: none\n    environment:\n      - PUID=1000\n      - TZ=Etc/UTC\n`,
    'compose.prod.yml': 'services:\n  web:\n    read_only: false\n    environment:\n      - PGID=1000\n',
  };

  beforeAll(() => {
    prepareCli();
    buildImage(image, { files: { '/bin/probe': READ_ONLY_PROBE }, entrypoint: ['/bin/probe'] });
    writeTree(dir, files);
    projectAt(name, dir, join(dir, 'compose.yml'));
  }, 120_000);
  afterAll(() => {
    removeProject(name);
    cleanUp();
  }, 120_000);

  it('writes the layer, leaves the chain byte for byte, passes --check, and every service runs read-only with /run:exec and without PUID/PGID', () => {
    const chain = ['-f', 'compose.yml', '-f', 'compose.prod.yml'];
    expect(runCli(['--all', ...chain, '--layer', 'ro.yml', '--check', '--quiet'], { cwd: dir }).status).toBe(1);
    const write = runCli(['--all', ...chain, '--layer', 'ro.yml', '--write', '--quiet'], { cwd: dir });
    expect(write.stderr).toBe('');
    expect(write.status).toBe(0);
    for (const [file, text] of Object.entries(files)) expect(readBytes(join(dir, file)), file).toBe(text);
    expect(runCli(['--all', ...chain, '--layer', 'ro.yml', '--check', '--quiet'], { cwd: dir }).status).toBe(0);
    sh('docker', ['compose', '-p', name, ...chain, '-f', 'ro.yml', 'up', '-d'], { cwd: dir });
    expectProbedReadOnly(name, ['sonarr', 'web']);
  }, 180_000);
});
