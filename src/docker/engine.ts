// The Docker engine as the user reaches it: their own `docker` command (so DOCKER_HOST, contexts
// and their config apply), or a drop-in such as `podman`. Run with execFile (no shell: names
// and paths are never interpreted), each call with a timeout. Read-only calls only.
import { execFile } from 'node:child_process';

/** The engine cannot be used: the command is missing, the daemon unreachable, or a call failed. */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

/** How to reach the engine. */
export interface EngineOptions {
  /** The command to run (default `docker`; `podman` works as a drop-in). */
  command?: string;
  /** Longest wait for one call, in milliseconds (default 30 s). */
  timeoutMs?: number;
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

/** A client for one engine. Every method throws {@link EngineError} with a one-line message. */
export class DockerEngine {
  readonly command: string;
  private readonly timeoutMs: number;

  constructor(options: EngineOptions = {}) {
    this.command = options.command ?? 'docker';
    this.timeoutMs = options.timeoutMs ?? 30_000;
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
    const out = await this.text(['ps', '-a', '--no-trunc', ...filters, '--format', '{{.ID}}']);
    return out.split('\n').map((line) => line.trim()).filter(Boolean);
  }

  /** `docker inspect` of containers (by ID or name). */
  async inspectContainers(refs: readonly string[]): Promise<ContainerInfo[]> {
    if (refs.length === 0) return [];
    return this.json<ContainerInfo[]>(['container', 'inspect', ...refs]);
  }

  /** `docker image inspect` of one image. */
  async inspectImage(ref: string): Promise<ImageInfo> {
    const [image] = await this.json<ImageInfo[]>(['image', 'inspect', ref]);
    if (!image) throw new EngineError(`${this.command} image inspect ${ref}: no such image`);
    return image;
  }

  /** What the container wrote to its own layer since it was created (`docker diff`). */
  async diff(container: string): Promise<FsChange[]> {
    return parseDiff(await this.text(['diff', container], 64 * MiB));
  }

  /** The last lines of a container's log, both streams. */
  async logs(container: string, tail = 200): Promise<string[]> {
    const { stdout, stderr } = await this.exec(['logs', '--tail', String(tail), container], 16 * MiB);
    return `${stdout.toString('utf8')}\n${stderr.toString('utf8')}`.split('\n').filter((line) => line.trim() !== '');
  }

  /**
   * A path of the container's filesystem as a tar stream (`docker cp CONTAINER:PATH -`), or null
   * when the path does not exist or the archive is larger than `limit` bytes.
   */
  async copyOut(container: string, path: string, limit = 64 * MiB): Promise<Buffer | null> {
    try {
      return (await this.exec(['cp', `${container}:${path}`, '-'], limit)).stdout;
    } catch (error) {
      if (error instanceof CallFailed) return null;
      throw error;
    }
  }

  private async text(args: readonly string[], maxBuffer = 16 * MiB): Promise<string> {
    return (await this.exec(args, maxBuffer)).stdout.toString('utf8');
  }

  private async json<T>(args: readonly string[]): Promise<T> {
    const out = await this.text(args);
    try {
      return JSON.parse(out) as T;
    } catch {
      throw new EngineError(`${this.describe(args)} printed something that is not JSON`);
    }
  }

  private describe(args: readonly string[]): string {
    return [this.command, ...args.slice(0, 2)].join(' ');
  }

  private exec(args: readonly string[], maxBuffer: number): Promise<{ stdout: Buffer; stderr: Buffer }> {
    return new Promise((resolve, reject) => {
      execFile(this.command, args, { encoding: 'buffer', timeout: this.timeoutMs, maxBuffer, windowsHide: true }, (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new EngineError(`${this.command}: command not found (install the Docker CLI, or name another with --docker-cmd)`));
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(new CallFailed(`${this.describe(args)}: output larger than ${maxBuffer} bytes`));
        if ((error as { killed?: boolean }).killed) return reject(new EngineError(`${this.describe(args)} did not answer within ${Math.round(this.timeoutMs / 1000)} s`));
        const message = lastLine(stderr.toString('utf8')) || `exit status ${String(code)}`;
        if (UNREACHABLE.test(message)) return reject(new EngineError(`cannot reach the engine through \`${this.command}\`: ${message}`));
        reject(new CallFailed(`${this.describe(args)}: ${message}`));
      });
    });
  }
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
