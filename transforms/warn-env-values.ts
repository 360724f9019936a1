import type { Warning } from '../src/plan/diagnostics.js';
import { mappedValue } from '../src/model/effective-service.js';
import { serviceMounts } from '../src/model/locate.js';
import type { Mount } from '../src/model/mounts.js';
import { interpolatedText } from '../src/model/interpolation.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { environmentEntries } from '../src/model/service-values.js';
import type { EnvEntry } from '../src/model/service-values.js';
import { listText, lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/**
 * Mods whose own variables outlive them: once `DOCKER_MODS` no longer runs the mod, these are set
 * for nothing. Matched on the mod reference without its tag.
 */
const MOD_VARIABLES: readonly { mod: RegExp; name: string; prefix: string }[] = [
  // theme.park (docs.theme-park.dev, "Docker mods"): TP_THEME, TP_DOMAIN, TP_ADDON…
  { mod: /(^|\/)theme\.park$/, name: 'theme.park', prefix: 'TP_' },
];

/**
 * What the user loses with the LinuxServer variables read-only ignores, read from their values
 * (before the strip-env transform removes them; the loss is the same if `--keep-env` keeps them):
 * `PUID`/`PGID` other than 911 (files in the host paths the service mounts end up owned by 911),
 * `UMASK` or its legacy `UMASK_SET` (the umask wrapper is skipped), each mod of `DOCKER_MODS`
 * (split on `|`; they no longer run) and the variables of those mods, now set for nothing.
 */
export function warnEnvValues(ctx: ServiceContext): TransformResult {
  if (!lsioName(ctx)) return warningsOnly([]);
  const entries = environmentEntries(mappedValue(ctx.service.view, 'environment'), ctx.doc);
  const warnings: Warning[] = [];
  const verb = (name: string) => (ctx.strip.has(name) ? 'removed' : 'kept, but ignored read-only');
  const isSet = (e: EnvEntry) => e.value !== null && e.value.trim() !== '';

  const ids = entries.filter((e) => (e.name === 'PUID' || e.name === 'PGID') && isSet(e) && e.value!.trim() !== '911');
  if (ids.length) {
    const set = ids.map((e) => `${e.name}=${e.value!.trim()}`);
    const has = (name: string) => ids.some((e) => e.name === name);
    const owner = has('PUID') && has('PGID') ? '911:911' : has('PUID') ? 'UID 911' : 'GID 911';
    // The app runs as 911 whatever the ids said. LinuxServer's init chowns /config to 911 at each
    // start; nothing else is chowned, but the app writes to every other writable host path and
    // named volume as 911 too (files the old ids made there are not its own).
    const writable = serviceMounts(ctx.service, ctx.doc).filter((m) => (m.kind === 'bind' || m.kind === 'volume') && m.source !== null && !m.readOnly);
    const named = (m: Mount, onHost = '') => (m.kind === 'bind' ? `${interpolatedText(m.source!)}${onHost}` : `the volume ${interpolatedText(m.source!)}`);
    const config = [...new Set(writable.filter((m) => m.target === '/config').map((m) => named(m, ' on the host')))];
    const others = [...new Set(writable.filter((m) => m.target !== '/config').map((m) => named(m)))];
    const configText = config.length ? `/config (${listText(config)})` : '/config';
    const othersText = others.length
      ? `; ${listText(others)} ${others.length === 1 ? 'is' : 'are'} not chowned, but the app now writes there as ${owner}: give it write permission (\`chown -R 911:911\`${writable.some((m) => m.kind === 'volume' && m.target !== '/config') ? ' on the host path, or in a container that mounts the volume;' : ','} or a group it belongs to with group write)`
      : '';
    warnings.push(
      warningAt(
        ctx,
        'uid-changes',
        `${listText(set)} ${ids.length === 1 ? 'has' : 'have'} no effect read-only (the app runs as ${owner}): LinuxServer's init chowns ${configText} to ${owner} at every start${othersText} (docs.linuxserver.io/misc/read-only/)`,
        ids[0]!.node,
      ),
    );
  }

  for (const umask of entries.filter((e) => (e.name === 'UMASK' || e.name === 'UMASK_SET') && isSet(e))) {
    const value = umask.value!.trim();
    // 022 is the umask the container gets anyway: nothing changes.
    if (/^0*22$/.test(value)) continue;
    const legacy = umask.name === 'UMASK_SET' ? ' (the legacy name of UMASK)' : '';
    // A group digit of 0 (002, 0002) is what keeps a shared /data group-writable in *arr stacks.
    const groupWritable = /^0*[0-7]?0[0-7]$/.test(value) ? `; files are no longer group-writable, so in *arr stacks a shared /data (hardlinks, imports between apps) needs its permissions set another way` : '';
    warnings.push(warningAt(ctx, 'umask-ignored', `${umask.name}=${value}${legacy} ${verb(umask.name)}: read-only skips LinuxServer's umask wrapper, so files are created with the default umask (022)${groupWritable}`, umask.node));
  }

  const mods = entries.find((e) => e.name === 'DOCKER_MODS');
  const names = (mods?.value ?? '').split('|').map((m) => m.trim()).filter(Boolean);
  if (mods && names.length) {
    const what = names.length === 1 ? 'this mod no longer runs' : `these ${names.length} mods no longer run`;
    warnings.push(warningAt(ctx, 'mods-disabled', `DOCKER_MODS ${verb('DOCKER_MODS')}; ${what}: ${names.join(', ')}`, mods.node));
    for (const known of MOD_VARIABLES.filter((m) => names.some((name) => m.mod.test(name.replace(/:[^/:]*$/, ''))))) {
      const orphans = entries.filter((e) => e.name.startsWith(known.prefix));
      if (orphans.length === 0) continue;
      warnings.push(
        warningAt(ctx, 'mod-variables', `${listText(orphans.map((e) => e.name))} configure${orphans.length === 1 ? 's' : ''} the ${known.name} mod, which no longer runs; kept, but set for nothing`, orphans[0]!.node),
      );
    }
  }
  return warningsOnly(warnings);
}
