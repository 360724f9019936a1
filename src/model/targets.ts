import { isScalar } from 'yaml';
import type { MountNeeds } from '../knowledge/needs.js';
import { isInterpolated } from '../parse/yaml-nodes.js';
import { mountPath } from './effective-service.js';
import type { EffectiveService } from './effective-service.js';
import { hasExec, tmpfsPath } from './service-values.js';
import { isUnknownPath, mayCover } from './interpolation.js';

/**
 * What the target checks read of a service as Compose builds it: `read_only` as a plain value
 * and its mounts in order. The planner's view (yaml nodes, see mountState) and the verifier's
 * (plain values from a second parser) both give this, so both check one set of rules.
 */
export interface MountState {
  readOnly: unknown;
  /** tmpfs entries, an extended base's first. */
  tmpfs: readonly string[];
  /** Container paths of `volumes` entries (binds, volumes, long-syntax tmpfs). */
  volumePaths: readonly string[];
}

export function mountState(view: EffectiveService): MountState {
  const readOnly = view.readOnly?.value;
  return { readOnly: isScalar(readOnly) ? readOnly.value : undefined, tmpfs: view.tmpfs.map((t) => t.entry), volumePaths: view.volumeMounts.map((v) => v.path) };
}

/**
 * What a selected service must look like, in its effective view, once converted: read-only
 * (or a `${VAR}` the user decides at run time), `/run` as its image needs it (`exec`: exactly
 * one tmpfs with exec; `plain`: a tmpfs; a volume or bind there counts, it is the user's), and
 * every further tmpfs path the image needs mounted. Returns what is not met, in words.
 * `readOnly` false: read_only is not this view's to meet (another file of the project sets it).
 */
export function unmetTargets(state: MountState, needs: MountNeeds, readOnly = true): string[] {
  const unmet: string[] = [];
  if (readOnly && !(state.readOnly === true || isInterpolated(state.readOnly))) unmet.push('read_only is not true');
  const mounted = mountedPaths(state);
  const runs = state.tmpfs.filter(isRunEntry);
  const runVolume = state.volumePaths.some((path) => mountPath(path) === '/run') || unknownTargetsAt(state, '/run').length > 0;
  if (!runVolume && needs.run === 'exec' && !(runs.length === 1 && hasExec(runs[0]!))) unmet.push('/run is not one tmpfs with exec');
  if (!runVolume && needs.run === 'plain' && runs.length === 0) unmet.push('/run is not mounted');
  for (const need of needs.tmpfs) if (!isCovered(mounted, mountPath(need.path)) && unknownTargetsAt(state, mountPath(need.path)).length === 0) unmet.push(`${need.path} is not mounted`);
  return unmet;
}

/**
 * Whether a needed path is mounted: at the path itself, or for a path under `/run` by a `/run`
 * mount. `/run` is emptied at each boot (FHS 3.0, 3.15), so software makes its folders there at
 * start (postgres's entrypoint makes `/var/run/postgresql`); a tmpfs at any other folder above
 * a need hides the image's folder, which nothing makes again (nginx's `/var/cache/nginx`).
 */
export function isCovered(mounted: readonly string[], path: string): boolean {
  return mounted.includes(path) || (path.startsWith('/run/') && mounted.includes('/run'));
}

/** A tmpfs entry at `/run`, or at `/var/run` (a symlink to `/run` in Debian and Alpine based images: the same mount). */
export function isRunEntry(entry: string): boolean {
  return mountPath(tmpfsPath(entry)) === '/run';
}

/**
 * The mount targets known only at run time (a variable without a default) that may be `path` or
 * a folder above it: nothing is added there (a second mount at one path is refused by the engine).
 */
export function unknownTargetsAt(state: Pick<MountState, 'tmpfs' | 'volumePaths'>, path: string): string[] {
  const unknown: string[] = [];
  for (const target of [...state.tmpfs.map(tmpfsPath), ...state.volumePaths]) if (target.includes('$') && isUnknownPath(target) && mayCover(target, path)) unknown.push(target);
  return unknown;
}

/** Every container path the service mounts (tmpfs entries and volumes), `/var/run` as `/run`, in order, repeats kept. */
export function mountedPaths(state: Pick<MountState, 'tmpfs' | 'volumePaths'>): string[] {
  return [...state.tmpfs.map(tmpfsPath), ...state.volumePaths].map(mountPath);
}

/** Paths mounted more than once (the engine refuses the container: `Duplicate mount point`), with their counts. */
export function mountCounts(state: Pick<MountState, 'tmpfs' | 'volumePaths'>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const path of mountedPaths(state)) counts.set(path, (counts.get(path) ?? 0) + 1);
  return counts;
}
