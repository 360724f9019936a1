import type { Transform } from '../src/plan/transform.js';
import { readOnly } from './read-only.js';
import { stripEnv } from './strip-env.js';
import { tmpfsMounts } from './tmpfs.js';
import { warnCompanion } from './warn-companion.js';
import { warnCustomScripts } from './warn-custom.js';
import { warnEnvSources } from './warn-env-sources.js';
import { warnEnvValues } from './warn-env-values.js';
import { warnImage } from './warn-image.js';
import { warnMootSettings } from './warn-moot.js';
import { warnOverride } from './warn-override.js';
import { warnSwarm } from './warn-swarm.js';
import { warnNonRootUser } from './warn-user.js';

/**
 * The transforms that change the file, in the order their changes appear in the report. Each
 * transform's edits are kept or dropped as a whole (dropped when they would touch a node shared
 * with a service that should not change).
 */
export const changeTransforms: readonly { name: string; run: Transform }[] = [
  { name: 'read-only', run: readOnly },
  { name: 'tmpfs', run: tmpfsMounts },
  { name: 'strip-env', run: stripEnv },
];

/** The whole conversion: the changes, then the transforms that only warn (what read-only breaks for this service). */
export const transforms: readonly { name: string; run: Transform }[] = [
  ...changeTransforms,
  { name: 'warn-image', run: warnImage },
  { name: 'warn-companion', run: warnCompanion },
  { name: 'warn-moot', run: warnMootSettings },
  { name: 'warn-user', run: warnNonRootUser },
  { name: 'warn-custom', run: warnCustomScripts },
  { name: 'warn-env-values', run: warnEnvValues },
  { name: 'warn-env-sources', run: warnEnvSources },
  { name: 'warn-override', run: warnOverride },
  { name: 'warn-swarm', run: warnSwarm },
];
