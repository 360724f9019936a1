// After the switch: is a read-only container healthy? Pure: the inspect data and the log lines
// in, findings out. A container that exited with an error, restarts, or logged a write refused
// with EROFS needs another mount (or is not a fit).
import type { ContainerInfo } from '../docker/engine.js';

/** A refused write found in a container's log. */
export interface RefusedWrite {
  line: string;
  /** The path the line names, when it names one. */
  path: string | null;
}

/** The state of one converted container. */
export interface AfterFinding {
  container: string;
  readOnly: boolean;
  status: string;
  exitCode: number;
  restarts: number;
  refused: RefusedWrite[];
  /** Whether something needs the user's attention. */
  ok: boolean;
}

const EROFS = /read-only file system|\bEROFS\b/i;
// A quoted path, or an unquoted one followed by a colon (`sh: can't create /x: ...`, Go's
// `open /x: read-only file system`, Python's `[Errno 30] Read-only file system: '/x'`).
// Typographic quotes as escapes: the bundle stays ASCII (src/cli/bin.ts reads it as latin1).
const QUOTED_PATH = /['"\u2018\u201c`](\/[^'"\u2019\u201d`]*)['"\u2019\u201d`]/g;
const BARE_PATH = /(?:^|\s)(\/[^\s:'"]+):/g;

/** The log lines that report a write refused by a read-only filesystem, with their paths. */
export function refusedWrites(lines: readonly string[]): RefusedWrite[] {
  return lines.filter((line) => EROFS.test(line)).map((line) => ({ line: line.trim(), path: pathIn(line) }));
}

function pathIn(line: string): string | null {
  const quoted = [...line.matchAll(QUOTED_PATH)].map((m) => m[1]!);
  if (quoted.length) return quoted[quoted.length - 1]!;
  const bare = [...line.matchAll(BARE_PATH)].map((m) => m[1]!);
  return bare.length ? bare[bare.length - 1]! : null;
}

/** The health of a container after it was recreated read-only. */
export function afterFinding(info: ContainerInfo, logLines: readonly string[]): AfterFinding {
  const refused = refusedWrites(logLines);
  const restarts = info.RestartCount ?? 0;
  const readOnly = Boolean(info.HostConfig.ReadonlyRootfs);
  const failed = info.State.Restarting || restarts > 0 || (info.State.Status === 'exited' && info.State.ExitCode !== 0) || info.State.Status === 'dead';
  return {
    container: info.Name.replace(/^\//, ''),
    readOnly,
    status: info.State.Restarting ? 'restarting' : info.State.Status,
    exitCode: info.State.ExitCode,
    restarts,
    refused,
    ok: readOnly && !failed && refused.length === 0,
  };
}
