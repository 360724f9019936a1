import type { Warning } from '../src/plan/diagnostics.js';
import { serviceMounts } from '../src/model/locate.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/**
 * A volume or config mounted at (or inside) `/custom-services.d` (custom services do not run
 * read-only) or `/custom-cont-init.d` (custom init scripts are limited): signs the service relies
 * on them.
 */
export function warnCustomScripts(ctx: ServiceContext): TransformResult {
  if (!lsioName(ctx)) return warningsOnly([]);
  const warnings: Warning[] = [];
  const under = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);
  for (const { target, node } of serviceMounts(ctx.service, ctx.doc).filter((m) => m.kind !== 'tmpfs')) {
    if (under(target, '/custom-services.d')) {
      warnings.push(warningAt(ctx, 'custom-services', `${target} is mounted: custom services${target === '/custom-services.d' ? '' : ' in /custom-services.d'} do not run read-only`, node));
    } else if (under(target, '/custom-cont-init.d')) {
      warnings.push(warningAt(ctx, 'custom-init', `${target} is mounted: custom init scripts${target === '/custom-cont-init.d' ? '' : ' in /custom-cont-init.d'} are limited read-only`, node));
    }
  }
  return warningsOnly(warnings);
}
