// `ro-convert preflight` against real containers: what it proposes from what they wrote, that
// `--write` then `docker-compose up` gives a read-only container whose writes succeed, and that
// `--after` catches a container that dies with EROFS. Runs in `npm test` when an engine answers;
// with CI=true it never skips (it fails without an engine).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFile, prepareCli, removeTempDirs } from '../helpers/cli.js';
import { buildImage, cleanUp, engineState, inspect, logs, makeProject, projectContainers, serviceContainer, sh, trackVolumes, uniqueName, waitExit } from './engine.js';

const { reachable, mustRun } = engineState();
if (!reachable && !mustRun) console.warn('engine preflight.test: SKIPPED — no Docker engine, docker-compose or /bin/busybox here; CI installs them and fails without them');

function preflight(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const out = sh('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, cliFile(), 'preflight', ...args], { cwd, check: false });
  return out;
}

// The app writes where a real one does: a pid file in /run, scratch in /tmp, a cache, the
// image VOLUME and a bind; with PUID set (LinuxServer's init) it also rewrites /etc/passwd.
// `set -e`: any refused write stops it before ALL-WRITES-OK. (`$$` is Compose's escape for `$`;
// `command` is a one-item list so that Compose does not split the script into words.)
const APP_COMMAND = [
  'set -e',
  'echo 1 > /run/app.pid',
  'echo t > /tmp/scratch',
  'mkdir -p /var/cache/app/thumbs && echo c > /var/cache/app/thumbs/1',
  'echo v > /vol/state',
  'echo b > /data/file',
  'if [ -n "$$PUID" ]; then echo "abc:x:$$PUID:$$PUID::/:/bin/sh" >> /etc/passwd; fi',
  'echo ALL-WRITES-OK',
  'exec sleep 600',
].join('; ');

describe.skipIf(!reachable && !mustRun)('preflight on a real engine', () => {
  let tag: string;
  beforeAll(() => {
    prepareCli();
    if (!reachable) return;
    tag = uniqueName('img');
    // A LinuxServer image name the knowledge says needs /tmp: the conversion mounts /run:exec and /tmp.
    buildImage(`lscr.io/linuxserver/ddclient:${tag}`, {
      entrypoint: ['/bin/sh', '-c'],
      volumes: ['/vol'],
      files: { '/var/cache/app/shipped.txt': 'from the image\n' },
    });
  }, 120_000);
  afterAll(() => {
    cleanUp();
    removeTempDirs();
  }, 120_000);

  it('has an engine (CI must not skip this file)', () => {
    expect(reachable, 'no Docker engine, docker-compose or /bin/busybox: .ci/run installs and starts them').toBe(true);
  });

  it('proposes /var/cache/app only, a volume for /var/lib, and --write then up gives a read-only container whose writes succeed', async () => {
    const project = makeProject(
      'pf',
      `services:
  app:
    image: lscr.io/linuxserver/ddclient:${tag}
    network_mode: none
    environment:
      - PUID=1000
      - PGID=1000
    command: [${JSON.stringify(APP_COMMAND)}]
    volumes:
      - ./bind:/data
  db:
    image: lscr.io/linuxserver/ddclient:${tag}
    network_mode: none
    command: ["set -e; mkdir -p /var/lib/appdb && echo row > /var/lib/appdb/table; exec sleep 600"]
`,
    );
    project.compose(['up', '-d', '-t', '1']);
    const appId = serviceContainer(project.name, 'app');
    await until(() => logs(appId).includes('ALL-WRITES-OK'));
    await until(() => sh('docker', ['diff', serviceContainer(project.name, 'db')]).stdout.includes('/var/lib/appdb/table'));

    const json = preflight(['--all', '--json', 'compose.yml'], project.dir);
    expect(json.status, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout) as { files: { services: { name: string; heldBack: string | null; tmpfs: { path: string; entry: string; hidden: string[] }[]; volumes: { path: string }[]; paths: { path: string; verdict: string; mount?: string }[] }[] }[] };
    const [app, db] = report.files[0]!.services;
    expect(app!.heldBack).toBeNull();
    expect(app!.tmpfs.map((t) => t.path)).toEqual(['/var/cache/app']);
    expect(app!.tmpfs[0]!.entry).toBe('/var/cache/app:size=16m');
    // Docker does not copy image files into a tmpfs: the shipped file would be hidden.
    expect(app!.tmpfs[0]!.hidden).toEqual(['/var/cache/app/shipped.txt']);
    expect(app!.volumes).toEqual([]);
    const verdictOf = (path: string) => app!.paths.find((p) => p.path === path)?.verdict;
    expect(verdictOf('/run/app.pid')).toBe('covered');
    expect(verdictOf('/tmp/scratch')).toBe('covered');
    expect(verdictOf('/etc/passwd')).toBe('moot');
    expect(app!.paths.filter((p) => p.verdict === 'covered').map((p) => p.mount).sort()).toEqual(expect.arrayContaining(['/run', '/tmp']));
    // /vol and /data are mounts: their content is never in docker diff, at most their mount point.
    expect(app!.paths.filter((p) => p.path.startsWith('/vol/') || p.path.startsWith('/data/'))).toEqual([]);
    expect(db!.volumes.map((v) => v.path)).toEqual(['/var/lib/appdb']);
    expect(db!.tmpfs).toEqual([]);
    expect(db!.heldBack).toMatch(/named volume at \/var\/lib\/appdb/);

    const before = readFileSync(project.file, 'utf8');
    const preview = preflight(['--all', 'compose.yml'], project.dir);
    expect(preview.stdout).toContain('+      - /var/cache/app:size=16m');
    expect(readFileSync(project.file, 'utf8')).toBe(before);

    const write = preflight(['--all', '--write', 'compose.yml'], project.dir);
    expect(write.status, write.stderr).toBe(1);
    const written = readFileSync(project.file, 'utf8');
    expect(written).toContain('read_only: true');
    expect(written).toContain('- /var/cache/app:size=16m');
    // Only app is converted: db is held back until it has its volume.
    expect(written.split('read_only').length - 1).toBe(1);

    trackVolumes(projectContainers(project.name));
    project.compose(['up', '-d', '-t', '1']);
    const newApp = serviceContainer(project.name, 'app');
    expect(newApp).not.toBe(appId);
    await until(() => logs(newApp).includes('ALL-WRITES-OK') || !inspect(newApp).State.Running);
    const state = inspect(newApp);
    expect(state.HostConfig.ReadonlyRootfs).toBe(true);
    expect(state.State.Running, logs(newApp)).toBe(true);
    expect(logs(newApp)).toContain('ALL-WRITES-OK');

    const after = preflight(['--after', '--service', 'app', 'compose.yml'], project.dir);
    expect(after.status, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toMatch(/ok {2}\S+app\S*: read-only, running/);
  }, 180_000);

  it('--after catches a read-only container that died with EROFS, naming the path', async () => {
    const project = makeProject(
      'after',
      `services:
  broken:
    image: lscr.io/linuxserver/ddclient:${tag}
    network_mode: none
    read_only: true
    tmpfs:
      - /run:exec
      - /tmp
    command: ["set -e; echo hi > /run/ok; echo listen=1 > /etc/app.conf; exec sleep 600"]
`,
    );
    project.compose(['up', '-d', '-t', '1']);
    const [id] = projectContainers(project.name);
    expect(waitExit(id!)).not.toBe(0);
    const after = preflight(['--after', '--all', 'compose.yml'], project.dir);
    expect(after.status).toBe(1);
    expect(after.stdout).toMatch(/FAILED {2}\S+broken\S*: read-only, exited \(exit [1-9]/);
    expect(after.stdout).toContain('refused write to /etc/app.conf');
    const json = JSON.parse(preflight(['--after', '--all', '--json', 'compose.yml'], project.dir).stdout);
    expect(json.files[0].services[0].after[0]).toMatchObject({ ok: false, readOnly: true, status: 'exited', refused: [{ path: '/etc/app.conf' }] });
  }, 120_000);

  it('finds no containers for a file nothing was started from, and says so (exit 1)', () => {
    const project = makeProject('none', `services:\n  idle:\n    image: lscr.io/linuxserver/ddclient:${tag}\n    network_mode: none\n`);
    const out = preflight(['--all', 'compose.yml'], project.dir);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('held back: no containers found');
  });
});

describe('preflight without a usable engine', () => {
  beforeAll(() => prepareCli());
  afterAll(() => removeTempDirs());

  it('an unreachable engine is a one-line error, exit 2', () => {
    const out = preflight(['--all', 'compose.yml'], process.cwd(), { DOCKER_HOST: 'unix:///nonexistent/ro-convert-test.sock' });
    expect(out.status).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^ro-convert: error: (cannot reach the engine through `docker`|docker: command not found)/);
  });

  it('a missing command is a one-line error, exit 2', () => {
    const out = preflight(['--docker-cmd', 'ro-convert-no-such-docker', '--all', 'compose.yml'], process.cwd());
    expect(out.status).toBe(2);
    expect(out.stderr).toBe('ro-convert: error: ro-convert-no-such-docker: command not found (install the Docker CLI, or name another with --docker-cmd)\n');
  });
});

/** Polls `ready` every 200 ms for at most `seconds`. */
async function until(ready: () => boolean, seconds = 30): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!ready()) {
    if (Date.now() > end) throw new Error('timed out waiting for the container');
    await new Promise((r) => setTimeout(r, 200));
  }
}
