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
 * The conversion, in the order its changes appear in the report. Each transform's edits are
 * kept or dropped as a whole (dropped when they would touch a node shared with a service
 * that should not change). `warning` transforms only warn (no edits): a run that shows no
 * warnings skips them, as ESLint's `--quiet` skips the rules set to warn.
 */
export const transforms: readonly { name: string; kind: 'change' | 'warning'; run: Transform }[] = [
  { name: 'read-only', kind: 'change', run: readOnly },
  { name: 'tmpfs', kind: 'change', run: tmpfsMounts },
  { name: 'strip-env', kind: 'change', run: stripEnv },
  // What read-only breaks for this service.
  { name: 'warn-image', kind: 'warning', run: warnImage },
  { name: 'warn-companion', kind: 'warning', run: warnCompanion },
  { name: 'warn-moot', kind: 'warning', run: warnMootSettings },
  { name: 'warn-user', kind: 'warning', run: warnNonRootUser },
  { name: 'warn-custom', kind: 'warning', run: warnCustomScripts },
  { name: 'warn-env-values', kind: 'warning', run: warnEnvValues },
  { name: 'warn-env-sources', kind: 'warning', run: warnEnvSources },
  { name: 'warn-override', kind: 'warning', run: warnOverride },
  { name: 'warn-swarm', kind: 'warning', run: warnSwarm },
];
