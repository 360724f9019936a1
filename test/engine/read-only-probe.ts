/**
 * The probe the project engine tests run as each service's entrypoint, and the check of what it
 * printed: a read-only root, a script run from /run (a tmpfs with exec), /etc not writable, and
 * no PUID/PGID in the environment.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildImage, cleanUp, engineState, inspect, logs, projectAt, removeProject, serviceContainer, tempDir, uniqueName, waitExit } from './engine.js';
import { prepareCli, writeTree } from '../helpers/cli.js';

export const READ_ONLY_PROBE = `#!/bin/sh
if printf '#!/bin/sh\\necho run-exec-ok\\n' > /run/ro-probe.sh 2>/dev/null && chmod +x /run/ro-probe.sh && /run/ro-probe.sh; then :; else echo run-not-usable; fi
if (echo x > /etc/ro-probe) 2>/dev/null; then echo etc-writable; else echo etc-readonly; fi
echo "puid=[$PUID] pgid=[$PGID] tz=[$TZ]"
`;

/** Each service of the project ran the probe read-only, with /run:exec, without PUID/PGID and with TZ=Etc/UTC. */
export function expectProbedReadOnly(project: string, services: readonly string[]): void {
  for (const service of services) {
    const id = serviceContainer(project, service);
    expect(waitExit(id)).toBe(0);
    expect(inspect(id).HostConfig.ReadonlyRootfs, service).toBe(true);
    const out = logs(id);
    expect(out, service).toContain('run-exec-ok');
    expect(out, service).toContain('etc-readonly');
    expect(out, service).toContain('puid=[] pgid=[] tz=[Etc/UTC]');
  }
}

/** Whether a project engine test runs here (an engine, busybox and Compose v2); one line says what is skipped where it may skip. */
export function composeEngine(test: string): { runs: boolean; mustRun: boolean } {
  const { reachable, mustRun } = engineState();
  const runs = reachable && spawnSync('docker', ['compose', 'version', '--short'], { timeout: 20_000 }).status === 0;
  if (!runs && !mustRun) console.warn(`engine ${test}.test: SKIPPED — no Docker engine, busybox or Compose v2 here; CI installs them and fails without them`);
  return { runs, mustRun };
}

/**
 * A project folder whose services run the probe: registers the hooks that build a local
 * `lscr.io/linuxserver/<name>` image, write `files(image)` (the project's compose file first) and
 * track the project, and remove all of it afterwards, also on failure. Call inside a describe.
 */
export function probedProject(prefix: string, files: (image: string) => Record<string, string>): { name: string; dir: string; image: string } {
  const name = uniqueName(prefix).replace(/[^a-z0-9]/g, '');
  const image = `lscr.io/linuxserver/${name}:latest`;
  const dir = tempDir(`${prefix}-up`);
  beforeAll(() => {
    prepareCli();
    buildImage(image, { files: { '/bin/probe': READ_ONLY_PROBE }, entrypoint: ['/bin/probe'] });
    const tree = files(image);
    writeTree(dir, tree);
    projectAt(name, dir, join(dir, Object.keys(tree)[0]!));
  }, 120_000);
  afterAll(() => {
    removeProject(name);
    cleanUp();
  }, 120_000);
  return { name, dir, image };
}
