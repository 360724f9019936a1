import { mappedValue } from '../src/model/effective-service.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { environmentEntries } from '../src/model/service-values.js';
import type { EnvEntry } from '../src/model/service-values.js';
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
  /** The readme caveat this setting stems from: said once, by this warning, when it applies. */
  caveat: RegExp;
}

const FALSY = /^(false|0|no|off)?$/i;

/** From the caveats of the readmes (see src/knowledge/linuxserver.json). */
const MOOT: readonly MootSetting[] = [
  { image: 'jackett', variable: 'AUTO_UPDATE', moot: (v) => !FALSY.test(v.trim()), why: 'Jackett cannot update itself read-only', caveat: /^`AUTO_UPDATE`/ },
  { image: 'ombi', variable: 'BASE_URL', moot: (v) => !['', '/'].includes(v.trim()), why: 'Ombi\'s base URL cannot be changed from / read-only', caveat: /^`BASE_URL`/ },
  // VERSION=docker is the default and means "no update at run time", which is what read-only gives.
  { image: 'plex', variable: 'VERSION', moot: (v) => !['', 'docker'].includes(v.trim().toLowerCase()), why: 'Plex cannot update at run time read-only', caveat: /^Runtime update of Plex/ },
  { image: 'code-server', variable: 'SUDO_PASSWORD', moot: (v) => v !== '', why: 'sudo is not available read-only', secret: true, caveat: /^`sudo`/ },
  { image: 'code-server', variable: 'SUDO_PASSWORD_HASH', moot: (v) => v !== '', why: 'sudo is not available read-only', secret: true, caveat: /^`sudo`/ },
];

/**
 * Image-specific settings that read-only makes moot (jackett `AUTO_UPDATE`, ombi `BASE_URL`
 * other than `/`, plex `VERSION` other than `docker`, code-server `SUDO_PASSWORD` and
 * `SUDO_PASSWORD_HASH`): the user asked for something that will not happen.
 */
export function warnMootSettings(ctx: ServiceContext): TransformResult {
  return warningsOnly(
    firedMootSettings(ctx).map(({ setting, entry }) => {
      const shown = setting.secret ? setting.variable : `${setting.variable}=${entry.value}`;
      return warningAt(ctx, 'moot-setting', `${shown} has no effect: ${setting.why}`, entry.node);
    }),
  );
}

/**
 * The moot settings this service sets, with the variable that sets each. The image warnings use
 * it to say a caveat once: the moot setting names it, with its line.
 */
export function firedMootSettings(ctx: ServiceContext): { setting: MootSetting; entry: EnvEntry }[] {
  const image = lsioName(ctx);
  const settings = MOOT.filter((m) => m.image === image);
  if (settings.length === 0) return [];
  const entries = environmentEntries(mappedValue(ctx.service.view, 'environment'), ctx.doc);
  return settings.flatMap((setting) => {
    const entry = entries.find((e) => e.name === setting.variable);
    return entry && entry.value !== null && setting.moot(entry.value) ? [{ setting, entry }] : [];
  });
}
