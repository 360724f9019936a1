import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { environmentEntries } from '../src/model/service-values.js';
import { lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/** A setting of one image that a read-only caveat makes moot. */
interface MootSetting {
  image: string;
  variable: string;
  /** Whether this value asks for something read-only takes away. */
  moot(value: string): boolean;
  /** What the user loses, briefly. */
  why: string;
  /** Never quote the value (a password). */
  secret?: boolean;
}

const FALSY = /^(false|0|no|off)?$/i;

/** From the caveats of the readmes (see src/knowledge/linuxserver.json). */
const MOOT: readonly MootSetting[] = [
  { image: 'jackett', variable: 'AUTO_UPDATE', moot: (v) => !FALSY.test(v.trim()), why: 'Jackett cannot update itself read-only' },
  { image: 'ombi', variable: 'BASE_URL', moot: (v) => !['', '/'].includes(v.trim()), why: 'Ombi\'s base URL cannot be changed from / read-only' },
  // VERSION=docker is the default and means "no update at run time", which is what read-only gives.
  { image: 'plex', variable: 'VERSION', moot: (v) => !['', 'docker'].includes(v.trim().toLowerCase()), why: 'Plex cannot update at run time read-only' },
  { image: 'code-server', variable: 'SUDO_PASSWORD', moot: (v) => v !== '', why: 'sudo is not available read-only', secret: true },
  { image: 'code-server', variable: 'SUDO_PASSWORD_HASH', moot: (v) => v !== '', why: 'sudo is not available read-only', secret: true },
];

/**
 * Image-specific settings that read-only makes moot (jackett `AUTO_UPDATE`, ombi `BASE_URL`
 * other than `/`, plex `VERSION` other than `docker`, code-server `SUDO_PASSWORD` and
 * `SUDO_PASSWORD_HASH`): the user asked for something that will not happen.
 */
export function warnMootSettings(ctx: ServiceContext): TransformResult {
  const image = lsioName(ctx);
  const settings = MOOT.filter((m) => m.image === image);
  if (settings.length === 0) return warningsOnly([]);
  const entries = environmentEntries(ctx.service.map, ctx.doc);
  return warningsOnly(
    settings.flatMap((setting) => {
      const entry = entries.find((e) => e.name === setting.variable);
      if (!entry || entry.value === null || !setting.moot(entry.value)) return [];
      const shown = setting.secret ? setting.variable : `${setting.variable}=${entry.value}`;
      return [warningAt(ctx, 'moot-setting', `${shown} has no effect: ${setting.why}`, entry.node)];
    }),
  );
}
