// The Docker engine as the user reaches it: their own `docker` command (so DOCKER_HOST, contexts
// and their config apply), or a drop-in such as `podman`. Run without a shell (names and paths
// are never interpreted), each call in its own process group with a deadline: SIGTERM to the
// group, then SIGKILL, so a CLI that ignores SIGTERM (or an ssh helper holding the pipes) cannot
// keep the run alive. Read-only calls only. What the engine prints is checked before it is
// used: the wrong shape is the engine's error, not a crash of ro-convert.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { TarError, TarReader } from './tar.js';
import type { TarEntry } from './tar.js';
import { escapeControl } from '../report/escape.js';

/**
 * The engine cannot be used: the command is missing, the daemon unreachable, a call failed, or
 * it printed what no engine prints. The message is one line, its control characters escaped (it
 * quotes the engine).
 */
export class EngineError extends Error {
  constructor(message: string) {
    super(escapeControl(message));
    this.name = 'EngineError';
  }
}

/** How to reach the engine. */
export interface EngineOptions {
  /** The command to run (default `docker`; `podman` works as a drop-in). */
  command?: string;
  /** Longest wait for one call, in milliseconds (default 30 s; see {@link parseTimeout}). */
  timeoutMs?: number;
  /** How long a call is given to stop after SIGTERM before its process group is killed (default 2 s). */
  graceMs?: number;
}

/** The longest timer Node keeps (a larger one fires after 1 ms). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * `--timeout SECONDS` as whole milliseconds (`2`, `0.5`, `0.001`), or null when it is not a
 * plain decimal number of seconds giving 1 ms to {@link MAX_TIMEOUT_MS}.
 */
export function parseTimeout(seconds: string): number | null {
  const match = /^(\d+)(?:\.(\d{1,3})0*)?$/.exec(seconds.trim());
  if (!match) return null;
  const ms = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  return ms >= 1 && ms <= MAX_TIMEOUT_MS ? ms : null;
}

/** One entry of `docker diff`: added, changed or deleted, relative to the image. */
export interface FsChange {
  kind: 'A' | 'C' | 'D';
  path: string;
}

/** The parts of `docker inspect CONTAINER` preflight reads. */
export interface ContainerInfo {
  Id: string;
  Name: string;
  Image: string;
  RestartCount?: number;
  State: { Status: string; Running: boolean; Restarting: boolean; ExitCode: number; OOMKilled?: boolean };
  Config: { Image: string; User?: string; Labels?: Record<string, string> | null; Entrypoint?: string[] | null; Cmd?: string[] | null };
  HostConfig: { ReadonlyRootfs?: boolean; Tmpfs?: Record<string, string> | null };
  Mounts?: { Type: string; Destination: string; Name?: string; Source?: string }[] | null;
}

/** The parts of `docker image inspect IMAGE` preflight reads. */
export interface ImageInfo {
  Id: string;
  Config: { User?: string; Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; Volumes?: Record<string, unknown> | null } | null;
}

const MiB = 1 << 20;
/** Container and image IDs as the engine prints them (`ps --no-trunc`, inspect's `Id`, `Image`). */
const CONTAINER_ID = /^[0-9a-f]{64}$/;
const IMAGE_ID = /^(sha256:)?[0-9a-f]{64}$/;

/** A client for one engine. Every method throws {@link EngineError} with a one-line message. */
export class DockerEngine {
  readonly command: string;
  private readonly timeoutMs: number;
  private readonly graceMs: number;

  constructor(options: EngineOptions = {}) {
    this.command = options.command ?? 'docker';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.graceMs = options.graceMs ?? 2_000;
  }

  /** Checks that the command exists and its engine answers. */
  async check(): Promise<void> {
    try {
      await this.text(['version']);
    } catch (error) {
      if (error instanceof CallFailed) throw new EngineError(`cannot reach the engine through \`${this.command}\`: ${error.message.replace(/^[^:]*: /, '')}`);
      throw error;
    }
  }

  /** IDs of all containers (running or not) carrying every one of these labels. */
  async containerIds(labels: Readonly<Record<string, string>>): Promise<string[]> {
    const filters = Object.entries(labels).flatMap(([key, value]) => ['--filter', `label=${key}=${value}`]);
    const args = ['ps', '-a', '--no-trunc', ...filters, '--format', '{{.ID}}'];
    const ids = (await this.text(args)).split('\n').map((line) => line.trim()).filter(Boolean);
    const bad = ids.find((id) => !CONTAINER_ID.test(id));
    if (bad !== undefined) throw this.malformed(args, `a line that is not a container ID: ${JSON.stringify(bad.slice(0, 80))}`);
    return ids;
  }

  /** `docker inspect` of containers (by ID or name). */
  async inspectContainers(refs: readonly string[]): Promise<ContainerInfo[]> {
    if (refs.length === 0) return [];
    const args = ['container', 'inspect', ...refs];
    const infos = await this.json(args);
    if (!Array.isArray(infos) || infos.length !== refs.length) throw this.malformed(args, `not a list of ${refs.length} container${refs.length === 1 ? '' : 's'}`);
    infos.forEach((info, i) => {
      const problem = containerProblem(info);
      if (problem) throw this.malformed(args, `container ${i + 1}: ${problem}`);
      for (const key of ['Entrypoint', 'Cmd'] as const) commandList((info as { Config: Json }).Config, key);
    });
    return infos as ContainerInfo[];
  }

  /** `docker image inspect` of one image (by its ID, as a container's `Image` gives it). */
  async inspectImage(ref: string): Promise<ImageInfo> {
    const args = ['image', 'inspect', ref];
    const images = await this.json(args);
    if (!Array.isArray(images) || images.length !== 1) throw this.malformed(args, 'not a list of one image');
    const problem = imageProblem(images[0]);
    if (problem) throw this.malformed(args, problem);
    const config = (images[0] as { Config: Json | null }).Config;
    if (config) for (const key of ['Entrypoint', 'Cmd'] as const) commandList(config, key);
    return images[0] as ImageInfo;
  }

  /** What the container wrote to its own layer since it was created (`docker diff`). */
  async diff(container: string): Promise<FsChange[]> {
    return parseDiff(await this.text(['diff', container], 64 * MiB));
  }

  /** The last lines of a container's log, both streams. */
  async logs(container: string, tail = 200): Promise<string[]> {
    const { stdout, stderr } = await this.run(['logs', '--tail', String(tail), container], 16 * MiB);
    return `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== '');
  }

  /**
   * The members of a path of the container's filesystem (`docker cp CONTAINER:PATH -`), read as
   * the archive streams: sizes are counted, bodies skipped (a regular file's bytes are kept when
   * it is at most `contentLimit`), so any size is counted in constant memory. At most
   * `maxEntries` members.
   * @throws CallFailed when the engine refuses (no such path...) or the archive has too many members
   * @throws EngineError when the stream is not a tar archive
   */
  async copyOut(container: string, path: string, options: { contentLimit?: number; maxEntries?: number } = {}): Promise<TarEntry[]> {
    const args = ['cp', `${container}:${path}`, '-'];
    const reader = new TarReader(options.contentLimit ?? 0);
    const maxEntries = options.maxEntries ?? 1_000_000;
    await this.run(args, Infinity, (chunk) => {
      try {
        reader.push(chunk);
      } catch (error) {
        if (error instanceof TarError) throw this.malformed(args, `not a tar archive as Docker writes one (${error.message})`);
        throw error;
      }
      if (reader.entries.length > maxEntries) throw new CallFailed(`${this.describe(args)}: more than ${maxEntries} entries`);
      // Nothing after the end-of-archive block is read: the call may stop.
      return !reader.done;
    });
    try {
      return reader.end();
    } catch (error) {
      if (error instanceof TarError) throw this.malformed(args, `not a tar archive as Docker writes one (${error.message})`);
      throw error;
    }
  }

  private async text(args: readonly string[], maxBytes = 16 * MiB): Promise<string> {
    return (await this.run(args, maxBytes)).stdout;
  }

  private async json(args: readonly string[]): Promise<unknown> {
    const out = await this.text(args);
    try {
      return JSON.parse(out) as unknown;
    } catch {
      throw this.malformed(args, 'something that is not JSON');
    }
  }

  /** The engine printed what no engine prints: its error, named by the command that printed it. */
  private malformed(args: readonly string[], what: string): EngineError {
    return new EngineError(`${this.describe(args)} printed ${what}: is \`${this.command}\` a Docker CLI?`);
  }

  private describe(args: readonly string[]): string {
    return [this.command, ...args.slice(0, 2)].join(' ');
  }

  /**
   * Runs one call. Stdout is collected up to `maxBytes` as text, or handed chunk by chunk to
   * `consume` (which returns false once it needs no more, ending the call early). Ends within
   * the timeout plus twice the grace period whatever the command does.
   */
  private run(args: readonly string[], maxBytes: number, consume?: (chunk: Buffer) => boolean): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        // Its own process group (and session): the whole group is signalled at the deadline.
        child = spawn(this.command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true });
      } catch (error) {
        reject(this.spawnError(error));
        return;
      }
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderrTail = '';
      let failure: Error | null = null;
      let stoppedEarly = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (error: Error | null, code: number | null) => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        running.delete(child);
        // A grandchild still holding the pipes must not keep the run (or the process) alive.
        child.stdout?.destroy();
        child.stderr?.destroy();
        if (error) return reject(error);
        if (code === 0 || stoppedEarly) return resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderrTail });
        const message = lastLine(stderrTail) || `exit status ${String(code)}`;
        if (UNREACHABLE.test(message)) return reject(new EngineError(`cannot reach the engine through \`${this.command}\`: ${message}`));
        reject(new CallFailed(`${this.describe(args)}: ${message}`));
      };
      /** Ends the call: SIGTERM to its group, SIGKILL after the grace period, settled after another. */
      const stop = (why: Error | null) => {
        if (failure || stoppedEarly) return;
        if (why) failure = why;
        else stoppedEarly = true;
        signalGroup(child, 'SIGTERM');
        timers.push(
          setTimeout(() => {
            signalGroup(child, 'SIGKILL');
            timers.push(setTimeout(() => finish(failure, null), this.graceMs).unref());
          }, this.graceMs).unref(),
        );
      };
      running.add(child);
      ensureExitCleanup();
      timers.push(setTimeout(() => stop(new EngineError(`${this.describe(args)} did not answer within ${formatSeconds(this.timeoutMs)}`)), this.timeoutMs));
      child.stdout!.on('data', (chunk: Buffer) => {
        if (failure || stoppedEarly) return;
        if (consume) {
          try {
            if (!consume(chunk)) stop(null);
          } catch (error) {
            stop(error as Error);
          }
          return;
        }
        stdoutBytes += chunk.length;
        if (stdoutBytes > maxBytes) return stop(new CallFailed(`${this.describe(args)}: output larger than ${maxBytes} bytes`));
        stdout.push(chunk);
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        // The last lines say why a call failed: a bounded tail is kept.
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.on('error', (error) => finish(this.spawnError(error), null));
      // `close` waits for the pipes too; after a stop only the process itself is waited for.
      child.on('close', (code) => finish(failure, code));
      child.on('exit', (code) => {
        if (failure || stoppedEarly) return finish(failure, code);
        // A process it left behind (an ssh helper) may hold the pipes: after the grace period
        // its group is killed and the call ends with what was read.
        timers.push(
          setTimeout(() => {
            signalGroup(child, 'SIGKILL');
            finish(null, code);
          }, this.graceMs).unref(),
        );
      });
    });
  }

  private spawnError(error: unknown): EngineError {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new EngineError(`${this.command}: command not found (install the Docker CLI, or name another with --docker-cmd)`);
    return new EngineError(`${this.command}: cannot run it: ${(error as Error).message}`);
  }
}

const STDERR_TAIL = 64 * 1024;

/** Calls still running: their process groups are killed if ro-convert exits or is signalled first. */
const running = new Set<ChildProcess>();
let exitCleanup = false;

function ensureExitCleanup(): void {
  if (exitCleanup) return;
  exitCleanup = true;
  const killAll = () => {
    for (const child of running) signalGroup(child, 'SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Alone, this handler would swallow the signal: die of it as without one.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const optional = (value: unknown, check: (v: unknown) => boolean) => value === undefined || value === null || check(value);
const isString = (v: unknown) => typeof v === 'string';
const isStringList = (v: unknown) => Array.isArray(v) && v.every(isString);
const isStringMap = (v: unknown) => isObject(v) && Object.values(v).every(isString);
/** An entrypoint or command: a list, or (older Podman) one string. */
const isCommand = (v: unknown) => isString(v) || isStringList(v);
/** Older Podman prints an entrypoint or command as one string: as a list of one. */
function commandList(config: Json, key: 'Entrypoint' | 'Cmd'): void {
  if (typeof config[key] === 'string') config[key] = [config[key]];
}

/** What is wrong with one entry of `docker container inspect` for preflight's use, or null. */
function containerProblem(info: unknown): string | null {
  if (!isObject(info)) return 'not an object';
  if (typeof info.Id !== 'string' || !CONTAINER_ID.test(info.Id)) return 'no 64-hex-digit Id';
  if (typeof info.Image !== 'string' || !IMAGE_ID.test(info.Image)) return 'no image ID';
  if (typeof info.Name !== 'string') return 'no Name';
  const { State: state, Config: config, HostConfig: host } = info;
  if (!isObject(state) || typeof state.Status !== 'string' || typeof state.Running !== 'boolean' || typeof state.Restarting !== 'boolean' || typeof state.ExitCode !== 'number') return 'no State';
  if (!isObject(config) || typeof config.Image !== 'string') return 'no Config';
  if (!optional(config.User, isString) || !optional(config.Labels, isStringMap) || !optional(config.Entrypoint, isCommand) || !optional(config.Cmd, isCommand)) return 'a Config of the wrong shape';
  if (!isObject(host) || !optional(host.ReadonlyRootfs, (v) => typeof v === 'boolean') || !optional(host.Tmpfs, isStringMap)) return 'no HostConfig';
  if (!optional(info.RestartCount, (v) => typeof v === 'number')) return 'a RestartCount that is not a number';
  if (!optional(info.Mounts, (v) => Array.isArray(v) && v.every((m) => isObject(m) && typeof m.Destination === 'string'))) return 'Mounts of the wrong shape';
  return null;
}

/** What is wrong with `docker image inspect`'s entry for preflight's use, or null. */
function imageProblem(image: unknown): string | null {
  if (!isObject(image) || typeof image.Id !== 'string') return 'no image Id';
  const config = image.Config;
  if (!optional(config, isObject)) return 'a Config that is not an object';
  if (isObject(config) && (!optional(config.User, isString) || !optional(config.Entrypoint, isCommand) || !optional(config.Cmd, isCommand) || !optional(config.Env, isStringList) || !optional(config.Volumes, isObject))) return 'a Config of the wrong shape';
  return null;
}

/** A call the engine answered with an error (no such container, path...): one line. */
export class CallFailed extends EngineError {}

// The CLI's words when no daemon answers (Docker and Podman).
const UNREACHABLE = /cannot connect to the docker daemon|is the docker daemon running|error during connect|cannot connect to podman|connection refused|no such file or directory.*\.sock|permission denied.*\.sock/i;

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/**
 * Parses `docker diff` (and `podman diff`) output: `A /path`, `C /path`, `D /path`, one a line.
 * Other lines are ignored.
 */
export function parseDiff(text: string): FsChange[] {
  const changes: FsChange[] = [];
  for (const line of text.split('\n')) {
    const match = /^([ACD]) (\/.*)$/.exec(line.replace(/\r$/, ''));
    if (match) changes.push({ kind: match[1] as FsChange['kind'], path: match[2]! });
  }
  return changes;
}
