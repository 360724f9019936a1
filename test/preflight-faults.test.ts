// `ro-convert preflight` against an engine CLI that lies (a script given with --docker-cmd):
// each way the engine can fail or mislead ends in bounded time, blames the engine (exit 2, one
// line naming the command) or says what is unknown, and never writes a guess into the file.
// The hang guards are vitest timeouts (the runs do not block the test's thread): a run that
// does not end fails the test.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, prepareCli, PROJECT_ROOT, removeTempDirs, runCliAsync } from './helpers/cli.js';
import { tarHeader } from './helpers/tar.js';
import type { TarMember } from './helpers/tar.js';

const FAKE = join(PROJECT_ROOT, 'test', 'helpers', 'fake-engine.mjs');
const ID = 'a'.repeat(64);
const IMAGE = `sha256:${'b'.repeat(64)}`;
const COMPOSE = 'services:\n  app:\n    image: example/app\n';
const MiB = 1 << 20;

const container = (extra: Record<string, unknown> = {}) => ({
  Id: ID,
  Name: '/stack-app-1',
  Image: IMAGE,
  RestartCount: 0,
  State: { Status: 'running', Running: true, Restarting: false, ExitCode: 0 },
  Config: { Image: 'example/app', User: '', Labels: { 'com.docker.compose.service': 'app' } },
  HostConfig: { ReadonlyRootfs: false, Tmpfs: null },
  Mounts: [],
  ...extra,
});
const image = { Id: IMAGE, Config: { Entrypoint: ['/app'], Volumes: null } };
/** Members for the fake engine's `tar` answer: headers built here, bodies streamed as zeros by it. */
const tar = (members: TarMember[]) => members.map((m) => ({ header: tarHeader(m).toString('base64'), bodyBytes: m.rawSize || m.flag === '5' ? 0 : (m.size ?? 0) }));
/** A container that wrote a cache directory; `cp` is the scenario's to decide. */
const cacheWriter = (cp: Record<string, unknown>) => ({
  version: { stdout: 'fake 1.0\n' },
  'container inspect': { stdout: JSON.stringify([container()]) },
  'image inspect': { stdout: JSON.stringify([image]) },
  diff: { stdout: 'C /var\nC /var/cache\nA /var/cache/app\nA /var/cache/app/big\n' },
  cp,
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[][];
}

/** Runs `preflight ARGS` on a fresh compose.yml with the fake engine answering `scenario`. */
async function preflight(scenario: Record<string, unknown>, args: readonly string[], compose = COMPOSE): Promise<Run & { dir: string }> {
  const dir = makeTempDir('ro-convert-fake-engine-');
  writeFileSync(join(dir, 'compose.yml'), compose);
  const scenarioFile = join(dir, 'scenario.json');
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  const run = await runCliAsync(['preflight', '--docker-cmd', FAKE, ...args], { cwd: dir, env: { FAKE_ENGINE_SCENARIO: scenarioFile } });
  const callsFile = `${scenarioFile}.calls`;
  const calls = existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]) : [];
  return { ...run, calls, dir };
}

/** The engine is blamed: exit 2, one error line, no "bug in ro-convert", no stack. */
function blamesEngine(run: Run, pattern: RegExp): void {
  expect(run.status).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ro-convert: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/bug in ro-convert|\n\s+at /);
}

beforeAll(() => {
  prepareCli();
});
afterAll(() => removeTempDirs());

describe('sizes: never a tmpfs smaller than what was written', () => {
  it('a 70 MiB cache streams through docker cp and gets size=512m (4x, a power of two), written with --write', async () => {
    const run = await preflight(cacheWriter({ tar: tar([{ name: 'app', flag: '5' }, { name: 'app/big', size: 70 * MiB }]) }), ['--container', 'stack-app-1', '--write', 'compose.yml']);
    expect(run.stderr).toContain('1 of 1 services ready; written');
    expect(run.stdout).toContain(`+ tmpfs   /var/cache/app:size=512m   a cache: rebuilt when missing; 1 path written, ${70 * MiB} bytes`);
    expect(readFileSync(join(run.dir, 'compose.yml'), 'utf8')).toContain('- /var/cache/app:size=512m');
    expect(run.status).toBe(0);
  }, 60_000);

  it('a failed docker cp proposes no size= and says why: the entry written has none', async () => {
    const run = await preflight(cacheWriter({ stderr: 'Error: write /dev/stdout: no space left on device\n', exit: 1 }), ['--container', 'stack-app-1', '--write', 'compose.yml']);
    expect(run.stdout).toContain('+ tmpfs   /var/cache/app   a cache');
    expect(run.stdout).toMatch(/warning: how much was written is unknown \([^)]*cp [a-f0-9]+:\/var\/cache\/app: Error: write \/dev\/stdout: no space left on device\): no size= proposed/);
    const written = readFileSync(join(run.dir, 'compose.yml'), 'utf8');
    expect(written).toMatch(/- \/var\/cache\/app\n/);
    expect(written).not.toContain('size=');
    expect(run.status).toBe(0);
  }, 60_000);

  it('--json gives the size as unknown, with the reason, and no size= in the entry', async () => {
    const run = await preflight(cacheWriter({ stderr: 'Error: gone\n', exit: 1 }), ['--container', 'stack-app-1', '--json', 'compose.yml']);
    const tmpfs = (JSON.parse(run.stdout) as { files: { services: { tmpfs: { entry: string; writtenBytes: number | null; sizeUnknown: string | null }[] }[] }[] }).files[0]!.services[0]!.tmpfs[0]!;
    expect(tmpfs.entry).toBe('/var/cache/app');
    expect(tmpfs.writtenBytes).toBeNull();
    expect(tmpfs.sizeUnknown).toMatch(/Error: gone$/);
  }, 60_000);
});

describe('every engine call ends', () => {
  it('a CLI that ignores SIGTERM is killed (SIGKILL to its process group) after the grace period: exit 2, "did not answer"', async () => {
    const run = await preflight({ version: { ignoreTerm: true } }, ['--container', 'x', '--timeout', '1.5', 'compose.yml']);
    blamesEngine(run, /fake-engine\.mjs version did not answer within 1500 ms/);
    // It was asked to stop, refused, and is gone all the same.
    const ignored = run.calls.find((call) => call[0] === 'ignored SIGTERM');
    expect(ignored, 'the fake engine never saw SIGTERM (did it start within the timeout?)').toBeDefined();
    expect(() => process.kill(Number(ignored![1]), 0)).toThrow(/ESRCH/);
  }, 30_000);

  it('a helper left holding the pipes after the CLI exits does not hold the run', async () => {
    const scenario = cacheWriter({ tar: tar([{ name: 'app', flag: '5' }]) });
    const run = await preflight({ ...scenario, version: { stdout: 'fake\n', holdPipes: true } }, ['--container', 'stack-app-1', '--timeout', '600', 'compose.yml']);
    expect(run.stderr).toContain('1 of 1 services ready');
    expect(run.status).toBe(0);
    // The helper went with its process group (killed before the run returned; on a loaded
    // machine it may stay a zombie a moment, until its new parent reaps it).
    const holder = run.calls.find((call) => call[0] === 'holding the pipes');
    const alive = () => {
      try {
        process.kill(Number(holder![1]), 0);
        return readFileSync(`/proc/${holder![1]}/stat`, 'utf8').split(') ')[1]!.startsWith('Z') ? 'zombie' : 'running';
      } catch {
        return 'gone';
      }
    };
    expect(['zombie', 'gone']).toContain(alive());
  }, 30_000);

  it.each([['0.0001'], ['Infinity'], ['3000000'], ['0'], ['-1'], ['1e3'], ['abc'], ['2147483.648']])('--timeout %s is a usage error (whole milliseconds, 1 ms to 2^31-1 ms)', async (value) => {
    const run = await preflight({}, ['--container', 'x', '--timeout', value, 'compose.yml']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--timeout takes seconds in whole milliseconds, from 0.001 to 2147483.647, not ${value}`);
    expect(run.calls).toEqual([]);
  }, 30_000);

  it('--timeout 2147483.647 (the largest) is taken', async () => {
    const run = await preflight({ version: { stdout: 'v' }, 'container inspect': { stdout: '[]' } }, ['--container', 'x', '--timeout', '2147483.647', 'compose.yml']);
    expect(run.stderr).not.toContain('--timeout takes');
    expect(run.calls[0]).toEqual(['version']);
  }, 30_000);
});

describe('malformed or wrong-shaped output is the engine\'s error, named by its command', () => {
  const ok = { version: { stdout: 'fake\n' }, 'image inspect': { stdout: JSON.stringify([image]) }, diff: { stdout: '' } };
  it.each([
    ['{}', '{}', /container inspect printed not a list of 1 container/],
    ['[{}]', '[{}]', /container inspect printed container 1: not|container 1: no 64-hex-digit Id/],
    ['an Id that is not an ID', JSON.stringify([container({ Id: '--help' })]), /container 1: no 64-hex-digit Id/],
    ['labels that are not strings', JSON.stringify([container({ Config: { Image: 'x', Labels: { a: 1 } } })]), /container 1: a Config of the wrong shape/],
    ['text that is not JSON', 'Error: nope', /container inspect printed something that is not JSON/],
  ])('docker inspect printing %s', async (_, stdout, pattern) => {
    const run = await preflight({ ...ok, 'container inspect': { stdout } }, ['--container', 'stack-app-1', 'compose.yml']);
    blamesEngine(run, pattern);
  }, 30_000);

  it('image inspect of the wrong shape', async () => {
    const run = await preflight({ ...ok, 'container inspect': { stdout: JSON.stringify([container()]) }, 'image inspect': { stdout: '[{"Id": "x", "Config": {"Entrypoint": {"sh": 1}}}]' } }, ['--container', 'stack-app-1', 'compose.yml']);
    blamesEngine(run, /image inspect printed a Config of the wrong shape/);
  }, 30_000);

  it('an entrypoint as one string (older Podman) is taken as a list of one', async () => {
    const podman = container({ Config: { Image: 'lscr.io/linuxserver/x', Entrypoint: '/init', Cmd: 'run', Labels: { 'com.docker.compose.service': 'app' } } });
    const run = await preflight({ ...ok, 'container inspect': { stdout: JSON.stringify([podman]) } }, ['--container', 'stack-app-1', 'compose.yml']);
    expect(run.stdout).toContain('entrypoint /init is s6-overlay');
    expect(run.status).toBe(0);
  }, 30_000);

  it('docker ps printing something that is not a container ID', async () => {
    const run = await preflight({ ...ok, ps: { stdout: `${ID}\n--privileged\n` } }, ['--all', 'compose.yml']);
    blamesEngine(run, /fake-engine\.mjs ps -a printed a line that is not a container ID: "--privileged"/);
  }, 30_000);

  it('output past the cap ends the call: exit 2, the cap named', async () => {
    const run = await preflight({ ...ok, ps: { stdout: 'x'.repeat(MiB), repeat: 17 } }, ['--all', 'compose.yml']);
    blamesEngine(run, /ps -a: output larger than 16777216 bytes/);
  }, 60_000);

  it.each([
    ['a negative size', { name: 'app/x', rawSize: Buffer.alloc(12, 0xff) }, /a member with a negative size/],
    ['a size that is not a number', { name: 'app/x', rawSize: Buffer.from('-0000000001\0') }, /a member size that is not a number/],
  ])('docker cp streaming a tar with %s: exit 2, no loop', async (_, member, pattern) => {
    const run = await preflight(cacheWriter({ tar: tar([member]) }), ['--container', 'stack-app-1', '--write', 'compose.yml']);
    blamesEngine(run, /cp a+:\/var\/cache\/app printed not a tar archive as Docker writes one/);
    expect(run.stderr).toMatch(pattern);
    expect(readFileSync(join(run.dir, 'compose.yml'), 'utf8')).toBe(COMPOSE);
  }, 30_000);

  it('a command that does not exist', async () => {
    const run = await preflight({}, ['--container', 'x', '--docker-cmd', join(PROJECT_ROOT, 'no-such-docker'), 'compose.yml']);
    blamesEngine(run, /no-such-docker: command not found/);
  }, 30_000);
});

describe('text from the container is data: control characters escaped', () => {
  const ESC = '\u001b]0;pwned\u0007\u001b[2K\u009b31m\u007f';
  const escaped = '\\x1b]0;pwned\\x07\\x1b[2K\\x9b31m\\x7f';

  it('docker diff paths: escaped in the text report, not a fit as a mount, nothing written', async () => {
    const scenario = cacheWriter({ tar: tar([]) });
    const run = await preflight({ ...scenario, diff: { stdout: `A /srv${ESC}\nA /srv${ESC}/data\n` } }, ['--container', 'stack-app-1', '--write', 'compose.yml']);
    expect(run.stdout + run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(run.stdout).toContain(`! not a fit  /srv${escaped}/data   its directory holds control characters: it cannot be written as a mount entry`);
    expect(run.stdout).toContain(`held back: not a fit: /srv${escaped}/data; not converted`);
    expect(readFileSync(join(run.dir, 'compose.yml'), 'utf8')).toBe(COMPOSE);
    expect(run.status).toBe(1);
  }, 30_000);

  it('--json: DEL and C1 escaped as \\u00XX too, the JSON still the same data', async () => {
    const scenario = cacheWriter({ tar: tar([]) });
    const run = await preflight({ ...scenario, diff: { stdout: `A /srv${ESC}\nA /srv${ESC}/data\n` } }, ['--container', 'stack-app-1', '--json', 'compose.yml']);
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const paths = (JSON.parse(run.stdout) as { files: { services: { paths: { path: string }[] }[] }[] }).files[0]!.services[0]!.paths;
    expect(paths.map((p) => p.path)).toEqual([`/srv${ESC}/data`]);
  }, 30_000);

  it('--after: log lines and container names escaped', async () => {
    const readOnly = container({ Name: `/app${ESC}`, HostConfig: { ReadonlyRootfs: true, Tmpfs: null } });
    const scenario = {
      version: { stdout: 'fake\n' },
      'container inspect': { stdout: JSON.stringify([readOnly]) },
      logs: { stdout: `sh: can't create /etc/x${ESC}: Read-only file system\n` },
    };
    const run = await preflight(scenario, ['--container', 'x', '--after', 'compose.yml']);
    expect(run.stdout + run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(run.stdout).toContain(`FAILED  app${escaped}: read-only`);
    expect(run.stdout).toContain(`refused write to /etc/x${escaped}: sh: can't create /etc/x${escaped}: Read-only file system`);
    expect(run.status).toBe(1);
  }, 30_000);

  it('the engine\'s own error message is escaped', async () => {
    const run = await preflight({ version: { stderr: `Error: ${ESC}\n`, exit: 1 } }, ['--container', 'x', 'compose.yml']);
    blamesEngine(run, new RegExp(`cannot reach the engine through .*: Error: ${escaped.replace(/[\\[\]]/g, '\\$&')}$`));
  }, 30_000);
});
