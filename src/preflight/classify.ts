// Where a written path goes under a read-only root. Pure: facts in (what `docker diff` listed,
// the mounts, what the conversion mounts), verdicts and a few proposed mounts out. The rules and
// their sources are in docs/adr (preflight) and the shared preflight notes: scratch → tmpfs,
// persistent → named volume (never a tmpfs: it is empty after every restart), `/etc` rewritten
// at start → not a fit, LinuxServer's PUID/PGID remap → moot.
import type { FsChange } from '../docker/engine.js';
import type { TarEntry } from '../docker/tar.js';
import { hasControl } from '../report/escape.js';

/** What one service's containers wrote, and what is mounted or will be. */
export interface WriteFacts {
  /** `docker diff` entries of the service's containers (merged). */
  changes: readonly FsChange[];
  /** Destinations already mounted: volumes, binds, tmpfs, image VOLUMEs. */
  mounts: readonly string[];
  /** tmpfs paths the converted service has (`/run`, `/tmp` where the conversion adds it). */
  conversionTmpfs: readonly string[];
  /** The image is LinuxServer's (its init remaps PUID/PGID in `/etc/passwd` and `/etc/group`). */
  linuxServer: boolean;
}

/** The verdict on one written path. */
export type Verdict = 'covered' | 'moot' | 'scratch' | 'persistent' | 'not-a-fit';

/** One written path, its verdict, why, and the mount that takes it. */
export interface PathVerdict {
  path: string;
  change: FsChange['kind'];
  verdict: Verdict;
  reason: string;
  /** The directory mounted for it: the existing mount (covered) or the proposed one. */
  mount?: string;
}

/** A proposed mount: a tmpfs for scratch, a named volume for persistent data. */
export interface ProposedMount {
  kind: 'tmpfs' | 'volume';
  path: string;
  reason: string;
  /** The written paths it takes. */
  paths: string[];
  /** The image ships this directory (it was changed, not added): a tmpfs there hides its content. */
  shipped: boolean;
}

/** The classification of one service's writes. */
export interface Classification {
  paths: PathVerdict[];
  proposals: ProposedMount[];
}

const KERNEL = ['/proc', '/sys', '/dev'];
/** Files Docker itself mounts into every container. */
const ENGINE_FILES = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab'];
/** LinuxServer's init rewrites these for PUID/PGID and mods: moot once the variables are stripped. */
const LSIO_MOOT = [/^\/etc\/(passwd|group|shadow|gshadow)-?$/, /^\/etc\/s6-overlay(\/|$)/];
const SCRATCH_FILE = /\.(pid|sock|lock)$/;

/** Whether `path` is `dir` or below it. */
export function isUnder(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The first `depth` components of `path` (`/var/cache/app/x`, 3 → `/var/cache/app`). */
function prefix(path: string, depth: number): string {
  return `/${path.split('/').slice(1, depth + 1).join('/')}`;
}

interface Placement {
  verdict: 'scratch' | 'persistent';
  reason: string;
  /** A fixed directory for this kind of path (`/tmp`, `/var/cache/NAME`), or null to find one. */
  root: string | null;
}

/** Which kind of data a path holds, by where it lives (the usual Linux layout). */
function placement(path: string): Placement {
  const parts = path.split('/');
  if (isUnder(path, '/run') || isUnder(path, '/var/run')) return { verdict: 'scratch', reason: 'runtime state (pid files, sockets), recreated at every start', root: prefix(path, path.startsWith('/var/') ? 2 : 1) };
  if (isUnder(path, '/tmp') || isUnder(path, '/var/tmp')) return { verdict: 'scratch', reason: 'temporary files', root: prefix(path, path.startsWith('/var/') ? 2 : 1) };
  if (isUnder(path, '/var/cache')) return { verdict: 'scratch', reason: 'a cache: rebuilt when missing', root: parts.length > 4 ? prefix(path, 3) : '/var/cache' };
  if (isUnder(path, '/var/log')) return { verdict: 'scratch', reason: 'logs: a tmpfs keeps them until the container restarts (log to stdout, or mount a volume to keep them)', root: '/var/log' };
  const home = /^(\/root|\/home\/[^/]+)\/\.cache\//.exec(path);
  if (home) return { verdict: 'scratch', reason: 'a per-user cache (~/.cache)', root: `${home[1]}/.cache` };
  if ((isUnder(path, '/var/lib') || isUnder(path, '/var/spool')) && parts.length > 4) {
    return { verdict: 'persistent', reason: `application state under ${prefix(path, 2)}: a tmpfs would lose it at every restart`, root: prefix(path, 3) };
  }
  if (SCRATCH_FILE.test(path)) return { verdict: 'scratch', reason: 'a pid, socket or lock file', root: null };
  return { verdict: 'persistent', reason: 'application data (kept on a volume unless you know it is scratch: a tmpfs is empty after every restart)', root: null };
}

/**
 * The written paths: the entries of `docker diff` that are not just the parent directory of
 * another entry (a parent is listed as changed or added because something below it was).
 */
export function writtenLeaves(changes: readonly FsChange[]): FsChange[] {
  const parents = new Set<string>();
  for (const change of changes) for (let dir = parentOf(change.path); dir !== '/'; dir = parentOf(dir)) parents.add(dir);
  return changes.filter((c) => c.path !== '/' && !parents.has(c.path));
}

/**
 * Sorts every written path into covered, moot, scratch (→ tmpfs), persistent (→ named volume)
 * or not a fit, and collapses the mounts to propose to a few directories: a fixed one for a
 * known kind of path (`/var/cache/NAME`, `/var/lib/NAME`), else the shallowest directory the
 * container added (the image does not ship it), else the file's own directory.
 */
export function classifyWrites(facts: WriteFacts): Classification {
  const kinds = new Map(facts.changes.map((c) => [c.path, c.kind] as const));
  const added = (dir: string) => kinds.get(dir) === 'A';
  const paths: PathVerdict[] = [];
  const wanted = new Map<string, ProposedMount>();
  for (const leaf of writtenLeaves(facts.changes)) {
    const { path } = leaf;
    const base = { path, change: leaf.kind };
    const kernel = KERNEL.find((dir) => isUnder(path, dir));
    if (kernel || ENGINE_FILES.includes(path)) {
      paths.push({ ...base, verdict: 'covered', reason: 'mounted by the engine', mount: kernel ?? path });
      continue;
    }
    const mount = deepest(facts.mounts, path);
    if (mount) {
      paths.push({ ...base, verdict: 'covered', reason: 'under a mount', mount });
      continue;
    }
    const tmpfs = deepest(facts.conversionTmpfs, path);
    if (tmpfs) {
      paths.push({ ...base, verdict: 'covered', reason: 'under a tmpfs the conversion mounts', mount: tmpfs });
      continue;
    }
    if (facts.linuxServer && LSIO_MOOT.some((re) => re.test(path))) {
      paths.push({ ...base, verdict: 'moot', reason: "LinuxServer's init remaps PUID/PGID and installs mods here; the conversion strips those variables" });
      continue;
    }
    if (isUnder(path, '/etc')) {
      paths.push({ ...base, verdict: 'not-a-fit', reason: 'configuration written at start: a read-only root refuses it, and a mount over /etc would hide the image\'s own files; make the image write it elsewhere' });
      continue;
    }
    const place = placement(path);
    const dir = place.root ?? shallowestAdded(path, added) ?? parentOf(path);
    const unmountable = mountProblem(dir);
    if (unmountable) {
      paths.push({ ...base, verdict: 'not-a-fit', reason: `its directory ${unmountable}` });
      continue;
    }
    if (dir === '/') {
      paths.push({ ...base, verdict: 'not-a-fit', reason: 'a file at the top of the filesystem: nothing can be mounted for it alone' });
      continue;
    }
    const shipped = !added(dir);
    if (!place.root && shipped && place.verdict === 'scratch') {
      paths.push({ ...base, verdict: 'not-a-fit', reason: `${place.reason} in ${dir}, which the image ships: a tmpfs there would hide the image's files; point it to /run or /tmp` });
      continue;
    }
    paths.push({ ...base, verdict: place.verdict, reason: place.reason, mount: dir });
    const kind = place.verdict === 'scratch' ? 'tmpfs' : 'volume';
    const existing = wanted.get(dir);
    if (existing) {
      existing.paths.push(path);
      // Data that must persist wins: a volume keeps scratch too, a tmpfs loses the data.
      if (kind === 'volume' && existing.kind === 'tmpfs') Object.assign(existing, { kind, reason: place.reason });
    } else {
      wanted.set(dir, { kind, path: dir, reason: place.reason, paths: [path], shipped });
    }
  }
  const proposals = nestProposals([...wanted.values()]);
  return { paths: withProposalMounts(paths, proposals), proposals };
}

/**
 * Why a directory the container named cannot be a mount entry (`PATH:OPTIONS` as Compose splits
 * it, read back as the same path), or null when it can.
 */
function mountProblem(dir: string): string | null {
  if (hasControl(dir)) return 'holds control characters: it cannot be written as a mount entry';
  if (dir.includes(':')) return 'holds a colon: Compose would read the rest as mount options';
  if (/^\s|\s$/.test(dir)) return 'starts or ends with white space: Compose would trim it';
  if (dir.split('/').some((part, i) => i > 0 && (part === '' || part === '.' || part === '..'))) return 'is not a plain absolute path (an empty, . or .. part)';
  return null;
}

/** The deepest of `dirs` that holds `path`, or null. */
function deepest(dirs: readonly string[], path: string): string | null {
  let best: string | null = null;
  for (const dir of dirs) if (isUnder(path, dir) && (best === null || dir.length > best.length)) best = dir;
  return best;
}

/** The shallowest strict ancestor of `path` that the container added, or null. */
function shallowestAdded(path: string, added: (dir: string) => boolean): string | null {
  const parts = path.split('/');
  for (let depth = 1; depth < parts.length - 1; depth++) {
    const dir = prefix(path, depth);
    if (added(dir)) return dir;
  }
  return null;
}

/** A proposal inside another one is folded into the outer one. */
function nestProposals(proposals: ProposedMount[]): ProposedMount[] {
  const sorted = [...proposals].sort((a, b) => a.path.length - b.path.length);
  const kept: ProposedMount[] = [];
  for (const proposal of sorted) {
    const outer = kept.find((k) => isUnder(proposal.path, k.path));
    if (outer) outer.paths.push(...proposal.paths);
    else kept.push({ ...proposal, paths: [...proposal.paths] });
  }
  return kept.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Points each scratch or persistent path at the proposal that finally takes it. */
function withProposalMounts(paths: PathVerdict[], proposals: readonly ProposedMount[]): PathVerdict[] {
  return paths.map((p) => {
    if (p.verdict !== 'scratch' && p.verdict !== 'persistent') return p;
    const proposal = proposals.find((m) => m.paths.includes(p.path))!;
    return { ...p, mount: proposal.path, verdict: proposal.kind === 'tmpfs' ? 'scratch' : 'persistent' };
  });
}

/** A numeric user and group for tmpfs ownership. */
export interface UserIds {
  uid: number;
  gid: number;
}

/**
 * The numeric ids of a container's `User` (`name`, `uid`, `name:group`, `uid:gid`), reading
 * names from the image's `/etc/passwd` and `/etc/group`; null for root, no user, or a name
 * that cannot be resolved.
 */
export function resolveUser(user: string | undefined, passwd: string | null, group: string | null): UserIds | null {
  if (!user) return null;
  const [who, grp] = user.split(':', 2) as [string, string | undefined];
  const passwdLine = (name: string) => passwd?.split('\n').map((l) => l.split(':')).find((f) => f[0] === name || f[2] === name);
  const entry = /^\d+$/.test(who) ? null : passwdLine(who);
  const uid = /^\d+$/.test(who) ? Number(who) : entry ? Number(entry[2]) : NaN;
  if (!Number.isInteger(uid) || uid === 0) return null;
  let gid: number;
  if (grp === undefined) gid = entry ? Number(entry[3]) : (Number(passwdLine(String(uid))?.[3] ?? uid));
  else if (/^\d+$/.test(grp)) gid = Number(grp);
  else gid = Number(group?.split('\n').map((l) => l.split(':')).find((f) => f[0] === grp)?.[2] ?? NaN);
  return Number.isInteger(gid) ? { uid, gid } : { uid, gid: uid };
}

/** What a proposed tmpfs is given: its options and what to warn about. */
export interface TmpfsAdvice {
  /** Options to write (`size=`, `uid=`, `gid=`); no `size=` when the bytes written are unknown. */
  options: string[];
  /** Bytes the container wrote there (null when the directory could not be read). */
  written: number | null;
  /** Why the directory could not be read (no size is proposed), or null. */
  unread: string | null;
  /** Files the image ships there that a tmpfs would hide. */
  hidden: string[];
}

/**
 * Advice for a proposed tmpfs at `dir`, from the directory's content as a tar listing
 * (`docker cp CONTAINER:DIR -`; names start with DIR's last component) and the diff: what the
 * container wrote there gives `size=` (four times that, at least 16m, rounded up to a power of
 * two in MiB), what it did not add is the image's and would be hidden; a non-root user gets
 * `uid=`/`gid=` so the directory is its own. When the directory could not be read (`listing`
 * is why), no `size=` is proposed: a guess could be smaller than what was written.
 */
export function tmpfsAdvice(dir: string, listing: readonly TarEntry[] | { unread: string }, changes: readonly FsChange[], user: UserIds | null): TmpfsAdvice {
  const kinds = new Map(changes.map((c) => [c.path, c.kind] as const));
  const parent = parentOf(dir);
  let written: number | null = null;
  const hidden: string[] = [];
  if (Array.isArray(listing)) {
    written = 0;
    for (const entry of listing) {
      const path = parent === '/' ? `/${entry.name}` : `${parent}/${entry.name}`;
      if (path === dir) continue;
      const kind = kinds.get(path);
      if (kind === 'A' || kind === 'C') written += entry.size;
      if (kind !== 'A') hidden.push(path);
    }
  } else if (kinds.get(dir) !== 'A') {
    hidden.push(dir);
  }
  for (const change of changes) if (change.kind === 'D' && isUnder(change.path, dir) && change.path !== dir) hidden.push(change.path);
  const options = written === null ? [] : [`size=${suggestedSize(written)}`];
  if (user) options.push(`uid=${user.uid}`, `gid=${user.gid}`);
  const unread = Array.isArray(listing) ? null : (listing as { unread: string }).unread;
  return { options, written, unread, hidden: [...new Set(hidden)].sort() };
}

/** Four times what was written, at least 16 MiB, rounded up to a power of two (`64m`). */
export function suggestedSize(bytes: number): string {
  let mib = 16;
  while (mib * (1 << 20) < bytes * 4) mib *= 2;
  return `${mib}m`;
}
