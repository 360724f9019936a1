import { isMap, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { Warning } from '../src/plan/diagnostics.js';
import { tmpfsPath } from '../src/model/service-values.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { effectiveValue, ownValue, resolveNode, stringValue } from '../src/parse/yaml-nodes.js';
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
  for (const { target, node } of mountTargets(ctx)) {
    if (under(target, '/custom-services.d')) {
      warnings.push(warningAt(ctx, 'custom-services', `${target} is mounted: custom services${target === '/custom-services.d' ? '' : ' in /custom-services.d'} do not run read-only`, node));
    } else if (under(target, '/custom-cont-init.d')) {
      warnings.push(warningAt(ctx, 'custom-init', `${target} is mounted: custom init scripts${target === '/custom-cont-init.d' ? '' : ' in /custom-cont-init.d'} are limited read-only`, node));
    }
  }
  return warningsOnly(warnings);
}

/**
 * The container path of each mount: volumes in short (`SRC:TARGET[:MODE]`, `TARGET`) or long
 * syntax, and configs in long syntax (`{source, target}`).
 */
function mountTargets(ctx: ServiceContext): { target: string; node: Node }[] {
  const list = (key: string) => {
    const value = effectiveValue(ctx.service.map, key, ctx.doc);
    return isSeq(value) ? value.items.map((item) => resolveNode(item, ctx.doc)) : [];
  };
  const longTarget = (entry: YAMLMap) => stringValue(ownValue(entry, 'target', ctx.doc));
  const targets: { target: string; node: Node }[] = [];
  for (const volume of list('volumes')) {
    const text = stringValue(volume);
    if (text && volume) {
      const parts = text.split(':');
      // `C:\dir:/target` (a Windows drive) has one more part; the target is the one with a `/` first.
      const target = parts.length === 1 ? parts[0]! : (parts.slice(1).find((p) => p.startsWith('/')) ?? parts[1]!);
      targets.push({ target: tmpfsPath(target), node: volume });
    } else if (isMap(volume)) {
      const target = longTarget(volume);
      if (target) targets.push({ target: tmpfsPath(target), node: volume });
    }
  }
  for (const config of list('configs')) {
    const target = isMap(config) ? longTarget(config) : null;
    if (target && config) targets.push({ target: tmpfsPath(target), node: config });
  }
  return targets;
}
