import type { Warning } from '../src/plan/diagnostics.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { environmentEntries } from '../src/model/service-values.js';
import { listText, lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/**
 * What the user loses with the LinuxServer variables read-only ignores, read from their values
 * (before the strip-env transform removes them; the loss is the same if `--keep-env` keeps them):
 * each mod of `DOCKER_MODS` (split on `|`) no longer runs, and `PUID`/`PGID` other than 911
 * mean files under `/config` on the host end up owned by UID 911.
 */
export function warnEnvValues(ctx: ServiceContext): TransformResult {
  if (!lsioName(ctx)) return warningsOnly([]);
  const entries = environmentEntries(ctx.service.map, ctx.doc);
  const warnings: Warning[] = [];
  const verb = (name: string) => (ctx.strip.has(name) ? 'removed' : 'kept, but ignored read-only');

  const ids = entries.filter((e) => (e.name === 'PUID' || e.name === 'PGID') && e.value !== null && e.value.trim() !== '' && e.value.trim() !== '911');
  if (ids.length) {
    const set = ids.map((e) => `${e.name}=${e.value!.trim()}`);
    const has = (name: string) => ids.some((e) => e.name === name);
    const owner = has('PUID') && has('PGID') ? '911:911' : has('PUID') ? 'UID 911' : 'GID 911';
    warnings.push(
      warningAt(
        ctx,
        'uid-changes',
        `${listText(set)} ${ids.length === 1 ? 'has' : 'have'} no effect read-only: files under /config on the host will be owned by ${owner} after the first read-only start`,
        ids[0]!.node,
      ),
    );
  }

  const mods = entries.find((e) => e.name === 'DOCKER_MODS');
  const names = (mods?.value ?? '').split('|').map((m) => m.trim()).filter(Boolean);
  if (mods && names.length) {
    const what = names.length === 1 ? 'this mod no longer runs' : `these ${names.length} mods no longer run`;
    warnings.push(warningAt(ctx, 'mods-disabled', `DOCKER_MODS ${verb('DOCKER_MODS')}; ${what}: ${names.join(', ')}`, mods.node));
  }
  return warningsOnly(warnings);
}
