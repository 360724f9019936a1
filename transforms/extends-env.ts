import type { EnvItem, EffectiveService } from '../src/model/effective-service.js';
import type { StripPolicy } from '../src/model/select.js';
import type { ServiceContext } from '../src/plan/transform.js';

/**
 * The variables to strip that a same-file `extends` base gives the service and that stay set
 * after this conversion. Compose merges `environment` by variable name, the service's own value
 * winning, so no environment written on the service drops them: only converting the service
 * whose mapping sets them does (unless that one keeps them from a base of its own).
 */
export function keptThroughExtends(ctx: ServiceContext): EnvItem[] {
  return keptFrom(ctx, ctx.service.view, ctx.strip);
}

function keptFrom(ctx: ServiceContext, view: EffectiveService, strip: StripPolicy): EnvItem[] {
  return view.extendedEnvironment.filter((item) => {
    if (!strip.has(item.name)) return false;
    const setter = ctx.sibling(item.field.service);
    if (!setter?.strip?.has(item.name)) return true;
    return keptFrom(ctx, setter.service.view, setter.strip).some((kept) => kept.name === item.name);
  });
}
