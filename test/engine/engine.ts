/**
 * Helpers for tests on a real Docker engine. The engine may be shared with other runs: every
 * name carries this process's id and a random part, containers get `network_mode: none`, and
 * everything a test makes is recorded and removed by {@link cleanUp} (call it in afterAll, so a
 * failed test cleans up too). Images are made locally from the static busybox (no registry).
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where Debian's busybox-static puts the static binary. */
export const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'ls', 'cat', 'echo', 'mkdir', 'touch', 'sleep', 'chmod', 'id', 'printf', 'test', '[', 'rm', 'true', 'false'];

/** Whether a Docker engine answers, and whether the test files may skip when it does not. */
export function engineState(): { reachable: boolean; mustRun: boolean } {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  const reachable = info.status === 0 && existsSync(BUSYBOX) && spawnSync('docker-compose', ['version', '--short'], { timeout: 20_000 }).status === 0;
  return { reachable, mustRun: process.env.CI === 'true' };
}

/** A lower-case name unique to this run: `ro13-PREFIX-PID-RANDOM`. */
export function uniqueName(prefix: string): string {
  return `ro13-${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

const images: string[] = [];
const volumes = new Set<string>();
const projects: { project: string; dir: string; file: string }[] = [];
const dirs: string[] = [];

/** A temp directory removed by {@link cleanUp}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ro-convert-${prefix}-`));
  dirs.push(dir);
  return dir;
}

/** Runs a command and returns its result; throws with its output when it fails and `check` is set. */
export function sh(command: string, args: readonly string[], options: { cwd?: string; input?: Buffer; check?: boolean; timeout?: number } = {}) {
  const result = spawnSync(command, args, { cwd: options.cwd, input: options.input, encoding: 'buffer', timeout: options.timeout ?? 120_000, maxBuffer: 256 << 20 });
  const out = { status: result.status, stdout: result.stdout?.toString('utf8') ?? '', stderr: result.stderr?.toString('utf8') ?? '' };
  if (options.check !== false && result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.error?.message}): ${out.stderr || out.stdout}`);
  return out;
}

/** {@link sh} without blocking: for work that runs in parallel. Never throws. */
export function shAsync(command: string, args: readonly string[], options: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { cwd: options.cwd, env: options.env, timeout: options.timeout ?? 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ status, stdout, stderr });
    });
  });
}

/** What a test image holds and how it starts. */
export interface ImageSpec {
  /** Files to add (path inside the image → content); scripts under /bin are made executable. */
  files?: Record<string, string>;
  /** Empty directories to add. */
  dirs?: string[];
  /** `ENTRYPOINT` as an exec-form list. */
  entrypoint?: string[];
  /** Image `VOLUME`s. */
  volumes?: string[];
}

/**
 * Builds an image from a busybox rootfs (`tar | docker import` with `--change`) and records it
 * for removal. `name` may be any reference (e.g. `lscr.io/linuxserver/NAME:TAG`).
 */
export function buildImage(name: string, spec: ImageSpec): string {
  const root = join(tempDir('rootfs'), 'rootfs');
  for (const dir of ['bin', 'etc', 'tmp', 'run', 'var/cache', 'var/tmp', ...(spec.dirs ?? [])]) mkdirSync(join(root, dir), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  // As in Debian and Alpine images, /var/run is /run.
  symlinkSync('../run', join(root, 'var', 'run'));
  copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\napp:x:1000:\n');
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content, { mode: path.startsWith('/bin/') ? 0o755 : 0o644 });
  }
  const tarBytes = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 << 20 }).stdout;
  const changes: string[] = [];
  if (spec.entrypoint) changes.push('--change', `ENTRYPOINT ${JSON.stringify(spec.entrypoint)}`);
  for (const volume of spec.volumes ?? []) changes.push('--change', `VOLUME ${volume}`);
  images.push(name);
  sh('docker', ['import', ...changes, '-', name], { input: tarBytes });
  return name;
}

/** A compose project in a directory of its own, recorded for `down -v` at clean-up. */
export interface Project {
  name: string;
  dir: string;
  file: string;
  /** Runs `docker-compose -p NAME -f FILE ARGS...` in the project's directory. */
  compose(args: readonly string[], check?: boolean): ReturnType<typeof sh>;
  /** The same, without blocking (never throws). */
  composeAsync(args: readonly string[]): ReturnType<typeof shAsync>;
}

/** Writes `text` as `compose.yml` in a fresh directory and returns the project around it. */
export function makeProject(prefix: string, text: string, fileName = 'compose.yml'): Project {
  const dir = tempDir(prefix);
  const file = join(dir, fileName);
  writeFileSync(file, text);
  return projectAt(uniqueName(prefix).replace(/[^a-z0-9]/g, ''), dir, file);
}

/** The project named `name` for an existing compose file, recorded for clean-up. */
export function projectAt(name: string, dir: string, file: string): Project {
  projects.push({ project: name, dir, file });
  return {
    name,
    dir,
    file,
    compose: (args, check = true) => sh('docker-compose', ['-p', name, '-f', file, ...args], { cwd: dir, check }),
    composeAsync: (args) => shAsync('docker-compose', ['-p', name, '-f', file, ...args], { cwd: dir }),
  };
}

/** The container IDs of a compose project (all states). */
export function projectContainers(project: string): string[] {
  return sh('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]).stdout.split('\n').filter(Boolean);
}

/**
 * Records the volumes mounted in these containers for removal by {@link cleanUp}: call it before
 * `docker-compose up` recreates a container, which drops the old one without its anonymous
 * volumes.
 */
export function trackVolumes(ids: readonly string[]): void {
  if (ids.length === 0) return;
  const out = sh('docker', ['inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', ...ids], { check: false });
  for (const name of out.stdout.split(/\s+/).filter(Boolean)) volumes.add(name);
}

/** The ID of a compose service's container (the first, when it has several). */
export function serviceContainer(project: string, service: string): string {
  const ids = sh('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]).stdout.split('\n').filter(Boolean);
  if (!ids[0]) throw new Error(`no container for service ${service} of project ${project}`);
  return ids[0];
}

/** `docker inspect` of one container. */
export function inspect(id: string): { Name: string; State: { Status: string; ExitCode: number; Running: boolean }; HostConfig: { ReadonlyRootfs: boolean; Tmpfs: Record<string, string> | null }; Config: { Labels: Record<string, string> } } {
  return JSON.parse(sh('docker', ['inspect', id]).stdout)[0];
}

/** Waits until a container is no longer running (at most `seconds`). */
export function waitExit(id: string, seconds = 30): number {
  const out = sh('timeout', [String(seconds), 'docker', 'wait', id], { check: false });
  return Number(out.stdout.trim());
}

/** Both log streams of a container. */
export function logs(id: string): string {
  const out = sh('docker', ['logs', id], { check: false });
  return `${out.stdout}${out.stderr}`;
}

/**
 * Removes what Compose made for a project (containers, volumes, networks), by its label, with
 * the docker CLI (much faster than starting docker-compose for `down`). Never throws.
 */
export function removeProject(project: string): void {
  const label = `label=com.docker.compose.project=${project}`;
  const listed = (args: string[]) => sh('docker', [...args, '--filter', label], { check: false }).stdout.split('\n').filter(Boolean);
  const containers = listed(['ps', '-aq']);
  if (containers.length) sh('docker', ['rm', '-fv', ...containers], { check: false });
  const named = listed(['volume', 'ls', '-q']);
  if (named.length) sh('docker', ['volume', 'rm', '-f', ...named], { check: false });
  const networks = listed(['network', 'ls', '-q']);
  if (networks.length) sh('docker', ['network', 'rm', ...networks], { check: false });
}

/**
 * Removes every project (containers, networks, volumes), leftover container, image and temp
 * directory this process made. Never throws: clean-up must run to the end.
 */
export function cleanUp(): void {
  for (const { project } of projects.splice(0)) removeProject(project);
  if (volumes.size) sh('docker', ['volume', 'rm', '-f', ...volumes], { check: false });
  volumes.clear();
  if (images.length) sh('docker', ['rmi', '-f', ...images.splice(0)], { check: false });
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
