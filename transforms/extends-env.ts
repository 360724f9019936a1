import type { EffectiveService } from '../src/model/effective-service.js';
import type { StripPolicy } from '../src/model/select.js';
import type { ServiceContext } from '../src/plan/transform.js';

/** A variable to strip that stays set through `extends`, and the service that keeps it. */
export interface KeptVariable {
  name: string;
  /** The service whose mapping sets it and that this run does not strip it from. */
  keeper: string;
}

/**
 * The variables to strip that a same-file `extends` base gives the service and that stay set
 * after this conversion. Compose merges `environment` by variable name, the service's own value
 * winning, so no environment written on the service drops them: only converting the service
 * whose mapping sets them does (unless that one keeps them from a base of its own).
 */
export function keptThroughExtends(ctx: ServiceContext): KeptVariable[] {
  return keptFrom(ctx, ctx.service.view, ctx.strip);
}

function keptFrom(ctx: ServiceContext, view: EffectiveService, strip: StripPolicy): KeptVariable[] {
  return view.extendedEnvironment.flatMap((item) => {
    if (!strip.has(item.name)) return [];
    const setter = ctx.sibling(item.field.service);
    if (!setter?.strip?.has(item.name)) return [{ name: item.name, keeper: item.field.service }];
    return keptFrom(ctx, setter.service.view, setter.strip).filter((kept) => kept.name === item.name);
  });
}
