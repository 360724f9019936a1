// One multi-file project (include + override file + env file) converted by the built CLI with no
// path (the current directory's project, as `docker compose up` reads it), then brought up by
// Compose v2 on the real engine: every service runs with a read-only root, runs a script from
// /run, cannot write /etc, and no longer gets PUID/PGID. Images are made locally from busybox,
// containers use network_mode: none, and everything is removed in afterAll, also on failure.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, cleanUp, engineState, inspect, logs, projectAt, removeProject, serviceContainer, sh, tempDir, uniqueName, waitExit } from './engine.js';
import { prepareCli, runCli, writeTree } from '../helpers/cli.js';

const { reachable, mustRun } = engineState();
const composeV2 = spawnSync('docker', ['compose', 'version', '--short'], { timeout: 20_000 }).status === 0;
const runs = reachable && composeV2;
if (!runs && !mustRun) console.warn('engine project-up.test: SKIPPED — no Docker engine, busybox or Compose v2 here; CI installs them and fails without them');

const PROBE = `#!/bin/sh
if printf '#!/bin/sh\\necho run-exec-ok\\n' > /run/ro-probe.sh 2>/dev/null && chmod +x /run/ro-probe.sh && /run/ro-probe.sh; then :; else echo run-not-usable; fi
if (echo x > /etc/ro-probe) 2>/dev/null; then echo etc-writable; else echo etc-readonly; fi
echo "puid=[$PUID] pgid=[$PGID] tz=[$TZ]"
`;

describe.skipIf(!runs && !mustRun)('a multi-file project converted and brought up read-only by Compose v2', () => {
  const name = uniqueName('proj').replace(/[^a-z0-9]/g, '');
  const image = `lscr.io/linuxserver/${name}:latest`;
  const dir = tempDir('project-up');

  beforeAll(() => {
    prepareCli();
    buildImage(image, { files: { '/bin/probe': PROBE }, entrypoint: ['/bin/probe'] });
    writeTree(dir, {
      'compose.yml': `include:\n  - media/compose.yml\nservices:\n  web:\n    image: ${image}\n    network_mode: none\n    environment:\n      TZ: Etc/UTC\n`,
      'compose.override.yml': 'services:\n  web:\n    read_only: false\n    environment:\n      PUID: "1000"\n',
      'media/compose.yml': `services:\n  sonarr:\n    image: ${image}\n    network_mode: none\n    env_file: sonarr.env\n    environment:\n      - PUID=1000\n      - TZ=Etc/UTC\n`,
      'media/sonarr.env': '# only sonarr reads this\nPGID=1000\nAPI_KEY=abc\n',
    });
    projectAt(name, dir, join(dir, 'compose.yml'));
  }, 120_000);
  afterAll(() => {
    removeProject(name);
    cleanUp();
  }, 120_000);

  it('converts with no path, passes --check, and every service runs read-only with /run:exec and without PUID/PGID', () => {
    expect(runCli(['--all', '--check', '--quiet'], { cwd: dir }).status).toBe(1);
    const write = runCli(['--all', '--write', '--quiet'], { cwd: dir });
    expect(write.stderr).toBe('');
    expect(write.status).toBe(0);
    expect(runCli(['--all', '--check', '--quiet'], { cwd: dir }).status).toBe(0);
    sh('docker', ['compose', '-p', name, 'up', '-d'], { cwd: dir });
    for (const service of ['web', 'sonarr']) {
      const id = serviceContainer(name, service);
      expect(waitExit(id)).toBe(0);
      expect(inspect(id).HostConfig.ReadonlyRootfs, service).toBe(true);
      const out = logs(id);
      expect(out, service).toContain('run-exec-ok');
      expect(out, service).toContain('etc-readonly');
      expect(out, service).toContain('puid=[] pgid=[] tz=[Etc/UTC]');
    }
  }, 180_000);
});
