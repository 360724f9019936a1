import { isScalar } from 'yaml';
import type { Node } from 'yaml';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/**
 * A LinuxServer service that also sets `user:` (non-root): LinuxServer's init prints that
 * read-only combined with a non-root user "is not supported and may result in unwanted
 * behaviour".
 */
export function warnNonRootUser(ctx: ServiceContext): TransformResult {
  if (!lsioName(ctx)) return warningsOnly([]);
  const found = ctx.service.view.mapFields.get('user');
  const value = found?.value;
  if (!found || !isScalar(value) || value.value === null || String(value.value).trim() === '') return warningsOnly([]);
  const user = String(value.value);
  if (user === 'root' || user === '0' || user.startsWith('0:') || user.startsWith('root:')) return warningsOnly([]);
  return warningsOnly([
    warningAt(
      ctx,
      'non-root-user',
      `user: ${user} with read_only: LinuxServer's init says this combination "is not supported and may result in unwanted behaviour"`,
      found.pair.key as Node,
    ),
  ]);
}
