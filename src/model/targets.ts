import { isScalar } from 'yaml';
import type { MountNeeds } from '../knowledge/needs.js';
import { hasVariable } from '../parse/yaml-nodes.js';
import { mountPath } from './effective-service.js';
import type { EffectiveService } from './effective-service.js';
import { hasExec, tmpfsPath } from './service-values.js';

/**
 * What a selected service must look like, in its effective view, once converted: read-only
 * (or a `${VAR}` the user decides at run time), `/run` as its image needs it (`exec`: exactly
 * one tmpfs with exec; `plain`: a tmpfs; a volume or bind there counts, it is the user's), and
 * every further tmpfs path the image needs mounted. Returns what is not met, in words.
 */
export function unmetTargets(view: EffectiveService, needs: MountNeeds): string[] {
  const unmet: string[] = [];
  const readOnly = view.readOnly?.value;
  if (!(isScalar(readOnly) && (readOnly.value === true || hasVariable(readOnly)))) unmet.push('read_only is not true');
  const mounted = mountedPaths(view);
  const runs = view.tmpfs.filter((t) => tmpfsPath(t.entry) === '/run');
  const runVolume = view.volumeMounts.some((v) => mountPath(v.path) === '/run') || view.tmpfs.some((t) => tmpfsPath(t.entry) === '/var/run');
  if (!runVolume && needs.run === 'exec' && !(runs.length === 1 && hasExec(runs[0]!.entry))) unmet.push('/run is not one tmpfs with exec');
  if (!runVolume && needs.run === 'plain' && runs.length === 0) unmet.push('/run is not mounted');
  for (const need of needs.tmpfs) if (!mounted.includes(mountPath(need.path))) unmet.push(`${need.path} is not mounted`);
  return unmet;
}

/** Every container path the service mounts (tmpfs entries and volumes), `/var/run` as `/run`, in order, repeats kept. */
export function mountedPaths(view: EffectiveService): string[] {
  return [...view.tmpfs.map((t) => tmpfsPath(t.entry)), ...view.volumeMounts.map((v) => v.path)].map(mountPath);
}

/** Paths mounted more than once (the engine refuses the container: `Duplicate mount point`), with their counts. */
export function mountCounts(view: EffectiveService): Map<string, number> {
  const counts = new Map<string, number>();
  for (const path of mountedPaths(view)) counts.set(path, (counts.get(path) ?? 0) + 1);
  return counts;
}
