// The converted examples and a sample of the real-world files of ../shared/corpus on a real engine: every
// container the original file could create and start, the converted file can too, with a
// read-only root, an executable /run and a refused write to /etc.
//
// Nothing can be pulled, and the files' networks, ports, devices and host paths do not exist
// here, so both texts go through the same sandbox: each service runs a local probe image with
// `network_mode: none`, bind sources become empty temp directories, and only the keys that
// decide how the root filesystem and its mounts are set up are kept (read_only, tmpfs, volumes,
// user, working_dir, capabilities...). Each file is read as Compose v2 reads it
// (`docker compose config --format json`: anchors, merge keys, `extends`, `!reset`/`!override`,
// `${VAR:-default}` in paths, with no variable set) and the sandbox is brought up by Compose v2;
// a file only docker-compose 1.29 reads is read by 1.29 (its `extends` resolved by its `config`).
// Besides the examples and the corpus sample, the fixture inputs that share values between
// services (anchors, merge keys, `extends`: the shapes of the effective view) and those Compose
// v2 reads differently from plain YAML (tags, variables, `/var/run`) are brought up too. The corpus sample is skipped with one line when ../shared/corpus is
// missing, except with CI=true, where that fails (as a missing engine does). The
// probe (the image's entrypoint, so the files' `command:` stays as written) writes and runs a
// script in /run and tries to write to /etc, and prints what happened.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { convert } from '../../src/convert.js';
import { ConvertError } from '../../src/parse/errors.js';
import { buildImage, cleanUp, engineState, projectAt, removeProject, shAsync, tempDir, uniqueName } from './engine.js';
import type { inspect } from './engine.js';
import { mapConcurrent } from '../helpers/map-concurrent.js';
import { locateServices } from '../../src/model/locate.js';
import { parseCompose } from '../../src/parse/parse.js';
import { corpusSample, sharedCorpusMissing, sharedCorpusTestsRun } from '../helpers/shared-corpus.mjs';
import { fixtureCases } from '../helpers/fixtures.js';
import { cleanEnv } from '../helpers/projects.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ../shared/corpus files to try (about half are complete on their own: the rest need other files). */
const SAMPLE = Number(process.env.RO_CONVERT_ENGINE_SAMPLE ?? 8);
const POOL = 2;
/**
 * Files brought up, at least (the margin is for a file ro-convert may come to refuse cleanly):
 * 53 of the 54 examples and fixture inputs (107 services; 2026-12-07), 5 of the 8 corpus files
 * (the others need variables set or are refused).
 */
const MIN_CHECKED = { handMade: 48, corpus: 4 };

const engine = engineState();
const composeV2 = spawnSync('docker', ['compose', 'version', '--short'], { timeout: 20_000 }).status === 0;
const reachable = engine.reachable && composeV2;
const { mustRun } = engine;
if (!reachable && !mustRun) console.warn('engine compose-up.test: SKIPPED — no Docker engine, Compose v2, docker-compose or /bin/busybox here; CI installs them and fails without them');

// What a process under this user can do in /run (write and run a script), whether /run is a
// tmpfs without noexec, and whether /etc takes a write.
const PROBE = `#!/bin/sh
# Ignores its arguments (the service's command).
grep -q '^[^ ]* /run tmpfs ' /proc/mounts && echo run-is-tmpfs
grep '^[^ ]* /run tmpfs ' /proc/mounts | grep -q noexec && echo run-is-noexec
if printf '#!/bin/sh\\necho run-exec-ok\\n' > /run/ro-probe.sh 2>/dev/null && chmod +x /run/ro-probe.sh && /run/ro-probe.sh; then :; else echo run-not-writable; fi
if (echo x > /etc/ro-probe) 2>/dev/null; then echo etc-writable; else echo etc-readonly; fi
`;

/** Fixture inputs where services share values (anchors, merge keys, same-file extends). */
function sharingFixtures(): string[] {
  return fixtureCases()
    .filter((c) => /<<|\*[A-Za-z_]|^\s*extends:/m.test(c.input))
    .map((c) => join(c.dir, 'input.yml'));
}

/** Fixture inputs Compose v2 reads differently from plain YAML: its tags, variables, `/var/run` (issue 23). */
function composeV2Fixtures(): string[] {
  return fixtureCases()
    .filter((c) => /!reset|!override|\$\{?[A-Za-z_]|\/var\/run/.test(c.input) && !/<<|\*[A-Za-z_]|^\s*extends:/m.test(c.input))
    .map((c) => join(c.dir, 'input.yml'));
}

function examples(): string[] {
  return readdirSync(join(root, 'examples'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(root, 'examples', e.name, 'compose.yml'))
    .filter((path) => {
      try {
        return readFileSync(path).length > 0;
      } catch {
        return false;
      }
    });
}

type Config = { services?: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> } & Record<string, unknown>;

/** The keys kept in the sandbox: how the root filesystem, its mounts and the process are set up. */
const KEPT = ['read_only', 'tmpfs', 'volumes', 'user', 'working_dir', 'environment', 'command', 'cap_add', 'cap_drop', 'privileged', 'shm_size', 'init', 'tty', 'stdin_open'];

/** The same sandbox for the original and the converted config (see the top of this file). */
function sandbox(config: Config, image: string, binds: string): string {
  let bindCount = 0;
  const bindSource = () => {
    const dir = join(binds, String(bindCount++));
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const services: Record<string, Record<string, unknown>> = {};
  for (const [name, service] of Object.entries(config.services ?? {})) {
    const kept: Record<string, unknown> = {};
    for (const key of KEPT) if (service[key] !== undefined) kept[key] = service[key];
    kept.image = image;
    kept.network_mode = 'none';
    // docker-compose 1.29 refuses YAML booleans as variable values (Compose v2 takes them).
    if (kept.environment && typeof kept.environment === 'object' && !Array.isArray(kept.environment)) {
      kept.environment = Object.fromEntries(Object.entries(kept.environment).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v]));
    }
    // Named users resolve from the image's /etc/passwd: the probe image knows root and 1000.
    if (typeof kept.user === 'string') kept.user = kept.user.split(':').map((part) => (/^\d+$/.test(part) || part === 'root' ? part : '1000')).join(':');
    if (Array.isArray(kept.volumes)) {
      kept.volumes = kept.volumes.flatMap((volume: unknown): unknown[] => {
        if (typeof volume === 'string') {
          // `${VAR:-./dir}` holds a colon of its own: a variable is a path here.
          const parts = volume.replace(/\$\{[^}]*\}/g, 'VAR/').split(':');
          // A named volume is a plain name; anything else (a path, a variable) is a bind.
          if (parts.length >= 2 && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(parts[0]!)) return [[bindSource(), ...parts.slice(1)].join(':')];
          return [volume];
        }
        const long = volume as { type?: string; source?: string };
        if (long.type === 'bind') return [{ ...long, source: bindSource() }];
        return long.type === 'npipe' ? [] : [long];
      });
    }
    services[name] = kept;
  }
  const volumes = Object.fromEntries(Object.keys(config.volumes ?? {}).map((name) => [name, {}]));
  // YAML 1.1 as docker-compose reads it: values such as `no` or `on` stay strings.
  return stringify({ version: '2.4', services, ...(Object.keys(volumes).length ? { volumes } : {}) }, { version: '1.1' });
}

/**
 * The compose text as data, as Compose v2 reads it (`config --format json`, no variable set);
 * where v2 refuses it, as docker-compose 1.29 reads it (anchors and merge keys resolved,
 * same-file `extends` resolved by its `config`); null when neither can.
 */
async function configOf(text: string, dir: string): Promise<Config | null> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'compose.yml'), text);
  const v2 = await shAsync('docker', ['compose', '-p', 'sandboxread', '-f', join(dir, 'compose.yml'), 'config', '--format', 'json'], { cwd: dir, env: cleanEnv() });
  if (v2.status === 0) return JSON.parse(v2.stdout) as Config;
  try {
    // Compose's own tags (`!reset`) are unknown to yaml: its warning about them is not this test's business.
    let doc = parse(text, { maxAliasCount: -1, merge: true, logLevel: 'error' }) as Config | null;
    const services = doc?.services;
    if (!services || typeof services !== 'object') return null;
    if (Object.values(services).some((s) => !s || typeof s !== 'object')) return null;
    if (Object.values(services).some((s) => 'extends' in s)) {
      const resolved = await shAsync('docker-compose', ['-f', join(dir, 'compose.yml'), 'config'], { cwd: dir });
      if (resolved.status !== 0) return null;
      doc = parse(resolved.stdout) as Config;
    }
    return doc;
  } catch {
    return null;
  }
}

/** A sandboxed project after `up --no-start`: its containers by service. */
interface Created {
  project: string;
  created: boolean;
  error: string;
  containers: Map<string, { id: string; readOnly: boolean }>;
}

async function create(dir: string, config: Config, image: string): Promise<Created> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'sandbox.yml');
  writeFileSync(file, sandbox(config, image, join(dir, 'binds')));
  const project = projectAt(uniqueName('up').replace(/[^a-z0-9]/g, ''), dir, file);
  const up = await shAsync('docker', ['compose', '-p', project.name, '-f', file, 'up', '--no-start'], { cwd: dir, env: cleanEnv() });
  const result: Created = { project: project.name, created: up.status === 0, error: up.stderr.trim().split('\n').slice(-2).join(' | '), containers: new Map() };
  if (!result.created) return result;
  const ids = (await shAsync('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project.name}`])).stdout.split('\n').filter(Boolean);
  const infos = ids.length ? (JSON.parse((await shAsync('docker', ['inspect', ...ids])).stdout) as ReturnType<typeof inspect>[]) : [];
  infos.forEach((info, i) => result.containers.set(info.Config.Labels['com.docker.compose.service']!, { id: ids[i]!, readOnly: info.HostConfig.ReadonlyRootfs }));
  return result;
}

/** Starts a created container and returns what the probe printed, or null when it cannot start. */
async function probe(id: string): Promise<string | null> {
  if ((await shAsync('docker', ['start', id])).status !== 0) return null;
  await shAsync('timeout', ['30', 'docker', 'wait', id]);
  const out = await shAsync('docker', ['logs', id]);
  return out.stdout + out.stderr;
}

interface Outcome {
  file: string;
  status: 'input-rejected' | 'refused' | 'not-creatable' | 'checked';
  /** Why the original could not be created (for the log). */
  error?: string;
  services: number;
  started: number;
  problems: string[];
}

async function check(file: string, image: string): Promise<Outcome> {
  const name = relative(root, file);
  const outcome: Outcome = { file: name, status: 'checked', services: 0, started: 0, problems: [] };
  const text = readFileSync(file, 'utf8');
  let converted;
  try {
    converted = convert(text, { all: true, path: name });
  } catch (error) {
    if (error instanceof ConvertError && error.code !== 'internal') return { ...outcome, status: 'refused' };
    return { ...outcome, problems: [`convert failed: ${(error as Error).message}`] };
  }
  const runNeeds = new Map(locateServices(parseCompose(text)).map((s) => [s.name, s.needs.run]));
  const work = tempDir('up');
  const originalConfig = await configOf(text, join(work, 'original-config'));
  if (!originalConfig) return { ...outcome, status: 'input-rejected' };
  const convertedConfig = await configOf(converted.output, join(work, 'converted-config'));
  if (!convertedConfig) return { ...outcome, problems: ['the conversion cannot be read back'] };
  const original = await create(join(work, 'original'), originalConfig, image);
  try {
    if (!original.created) return { ...outcome, status: 'not-creatable', error: original.error };
    const after = await create(join(work, 'converted'), convertedConfig, image);
    try {
      if (!after.created) return { ...outcome, problems: [`the original is created, the conversion is not: ${after.error}`] };
      await Promise.all(
        [...original.containers].map(async ([service, before]) => {
          outcome.services++;
          const now = after.containers.get(service);
          if (!now) return outcome.problems.push(`${service}: no container after the conversion`);
          if (convertedConfig.services?.[service]?.read_only !== true) {
            // Left writable: only where the conversion said so (read_only left to a variable or
            // the override file), never silently.
            if (converted.services.find((s) => s.name === service)?.readOnly !== false) outcome.problems.push(`${service}: left writable by --all without a word`);
            return;
          }
          if (!now.readOnly) outcome.problems.push(`${service}: ReadonlyRootfs is false`);
          const output = await probe(now.id);
          // A container that cannot start here (a user the image lacks...) counts only if the original starts.
          if (output === null) {
            if ((await probe(before.id)) !== null) outcome.problems.push(`${service}: starts from the original, not from the conversion`);
            return;
          }
          outcome.started++;
          if (!output.includes('etc-readonly')) outcome.problems.push(`${service}: /etc is writable: ${output.trim()}`);
          // /run as the image needs it (the knowledge tables say which): s6 images an exec
          // tmpfs, other known images a plain tmpfs or nothing.
          const run = runNeeds.get(service) ?? 'exec';
          if (run === 'plain' && !output.includes('run-is-tmpfs')) outcome.problems.push(`${service}: /run is not a tmpfs: ${output.trim()}`);
          if (run !== 'exec') return;
          // A script that runs from /run is what s6 needs, whatever is mounted there (a bind can carry exec).
          if (!output.includes('run-exec-ok') && (!output.includes('run-is-tmpfs') || output.includes('run-is-noexec'))) {
            // The file's own mount at /run (a volume, a long-syntax tmpfs) is left as it is, with
            // a warning; the original mounts it the same way.
            const warned = converted.services.find((s) => s.name === service)?.warnings.some((w) => w.code === 'run-tmpfs-volume');
            const originalRun = await probe(before.id);
            if (!(warned && originalRun !== null && !/run-exec-ok/.test(originalRun) && originalRun.includes('run-is-tmpfs') === output.includes('run-is-tmpfs'))) {
              outcome.problems.push(`${service}: /run is not an exec tmpfs: ${output.trim()}`);
            }
          }
          // A tmpfs takes the owner and mode of the image's directory: a user who cannot write
          // /run in the original cannot in the conversion either. One who could, must still.
          if (!output.includes('run-exec-ok') && (await probe(before.id))?.includes('run-exec-ok')) {
            outcome.problems.push(`${service}: the original can write and run a script in /run, the conversion cannot: ${output.trim()}`);
          }
        }),
      );
      return outcome;
    } finally {
      removeProject(after.project);
    }
  } finally {
    removeProject(original.project);
  }
}

/** Brings each file up (original and conversion) and prints what happened. */
async function bringUp(label: string, image: string, files: string[]): Promise<Outcome[]> {
  const outcomes = await mapConcurrent(files, POOL, (file) => check(file, image));
  const checked = outcomes.filter((o) => o.status === 'checked');
  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
  console.log(
    `engine compose-up.test: ${label}: ${files.length} files, ${checked.length} brought up (${checked.reduce((n, o) => n + o.services, 0)} services created, ${checked.reduce((n, o) => n + o.started, 0)} started read-only and probed), ${count('input-rejected')} not sandboxed (unreadable, or extends that docker-compose config refuses), ${count('not-creatable')} not creatable as original, ${count('refused')} refused by ro-convert`,
  );
  for (const o of outcomes.filter((o) => o.status === 'not-creatable')) console.log(`engine compose-up.test: not creatable as original: ${o.file}: ${o.error}`);
  for (const o of outcomes.filter((o) => o.status === 'input-rejected')) console.log(`engine compose-up.test: not sandboxed: ${o.file}`);
  return outcomes;
}

const problemsOf = (outcomes: Outcome[]) => outcomes.filter((o) => o.problems.length).map((o) => ({ file: o.file, problems: o.problems }));

// Asked only where the engine tests run: without an engine, its own line says what is skipped.
const corpusRuns = (!reachable && !mustRun) || sharedCorpusTestsRun('engine compose-up.test', `the ${SAMPLE} real-world files of ../shared/corpus brought up`);

describe.skipIf(!reachable && !mustRun)('converted files brought up on a real engine', () => {
  let image: string;
  beforeAll(() => {
    if (!reachable) return;
    image = buildImage(`${uniqueName('probe')}:latest`, { entrypoint: ['/bin/sh', '/probe'], files: { '/probe': PROBE } });
  }, 120_000);
  afterAll(() => cleanUp(), 120_000);

  it('has an engine (CI must not skip this file)', () => {
    expect(reachable, 'no Docker engine, Compose v2, docker-compose or /bin/busybox: .ci/run installs and starts them').toBe(true);
  });

  it('the probe sees the difference: the original runs from /run and writes /etc', async () => {
    const work = tempDir('probe');
    const config = await configOf('services:\n  app:\n    image: example/app\n', work);
    const original = await create(join(work, 'original'), config!, image);
    try {
      expect(original.created, original.error).toBe(true);
      expect(original.containers.get('app')?.readOnly).toBe(false);
      const output = await probe(original.containers.get('app')!.id);
      expect(output).toContain('run-exec-ok');
      expect(output).toContain('etc-writable');
      expect(output).not.toContain('run-is-tmpfs');
    } finally {
      removeProject(original.project);
    }
  }, 120_000);

  it(
    'every container the original creates and starts, the conversion does too: read-only, /run as its image needs it, /etc refused (examples and fixture inputs)',
    async () => {
      const sharing = sharingFixtures();
      const readByV2 = composeV2Fixtures();
      const outcomes = await bringUp('examples and fixture inputs', image, [...examples(), ...sharing, ...readByV2]);
      // The project's own examples all come up, and most of the rest (a sandbox that quietly
      // rejects most files would otherwise pass on a handful).
      const exampleFiles = new Set(examples().map((f) => relative(root, f)));
      expect(exampleFiles.has('examples/sonarr/compose.yml')).toBe(true);
      expect(outcomes.filter((o) => exampleFiles.has(o.file) && o.status !== 'checked').map((o) => `${o.file}: ${o.status}`)).toEqual([]);
      expect(outcomes.filter((o) => o.status === 'checked').length).toBeGreaterThanOrEqual(MIN_CHECKED.handMade);
      // The effective-view shapes must not all end refused or unreadable: most are brought up.
      const shared = new Set(sharing.map((f) => relative(root, f)));
      expect(outcomes.filter((o) => o.status === 'checked' && shared.has(o.file)).length).toBeGreaterThanOrEqual(shared.size / 2);
      // Likewise the shapes Compose v2 reads its own way.
      const v2Shapes = new Set(readByV2.map((f) => relative(root, f)));
      expect(v2Shapes.size).toBeGreaterThan(5);
      expect(outcomes.filter((o) => o.status === 'checked' && v2Shapes.has(o.file)).length).toBeGreaterThanOrEqual(v2Shapes.size / 2);
      expect(problemsOf(outcomes)).toEqual([]);
    },
    // A hang guard: about 40 files, each brought up twice, on a machine other runs may share
    // (613 s here beside other test runs, over 900 s beside a whole suite and several more).
    1_800_000,
  );

  describe.skipIf(!corpusRuns)('the real-world files of ../shared/corpus', () => {
    it('are there (CI must not skip them)', () => {
      expect(sharedCorpusMissing).toBeNull();
    });

    it(
      `every container the original creates and starts, the conversion does too, on ${SAMPLE} of them`,
      async () => {
        const outcomes = await bringUp('../shared/corpus sample', image, corpusSample(SAMPLE));
        expect(outcomes.filter((o) => o.status === 'checked').length).toBeGreaterThanOrEqual(MIN_CHECKED.corpus);
        expect(problemsOf(outcomes)).toEqual([]);
      },
      600_000,
    );
  });
});
