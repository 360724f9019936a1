import type { Transform } from '../src/transform.js';
import { readOnly } from './read-only.js';
import { stripEnv } from './strip-env.js';
import { tmpfsMounts } from './tmpfs.js';

/**
 * The conversion, in the order its changes appear in the report. Each transform's edits are
 * kept or dropped as a whole (dropped when they would touch a node shared with a service
 * that should not change).
 */
export const transforms: readonly { name: string; run: Transform }[] = [
  { name: 'read-only', run: readOnly },
  { name: 'tmpfs', run: tmpfsMounts },
  { name: 'strip-env', run: stripEnv },
];
