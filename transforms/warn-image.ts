import type { Warning } from '../src/plan/diagnostics.js';
import { knowledgeProvenance } from '../src/knowledge/index.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { keyNode, lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/** The `/tmp` caveat: the tmpfs transform adds `/tmp` and reports it as a change. */
const TMP_CAVEAT = /^`\/tmp` must (also )?be mounted to tmpfs/i;

/**
 * What LinuxServer says about the image itself: an image only known at run time (`${VAR}`
 * outside the tag), a LinuxServer image that does not declare read-only support, and each
 * read-only caveat of its readme, verbatim (except the `/tmp` one, which the conversion fulfils).
 */
export function warnImage(ctx: ServiceContext): TransformResult {
  const ref = ctx.service.imageRef;
  if (!ref) return warningsOnly([]);
  const imageKey = keyNode(ctx, 'image');
  const warnings: Warning[] = [];
  const name = lsioName(ctx);
  if (ref.hasVariable && !name && variableInName(ref.raw.trim(), ref.tag, ref.digest)) {
    warnings.push(
      warningAt(
        ctx,
        'image-variable',
        `image ${ref.raw.trim()} is only known at run time, so it is unknown to ro-convert: if it is a LinuxServer image, its PUID, PGID, DOCKER_MODS… were not stripped and its caveats not checked`,
        imageKey,
      ),
    );
    return warningsOnly(warnings);
  }
  if (!name) return warningsOnly(warnings);
  const knowledge = ctx.service.knowledge;
  if (!knowledge) {
    warnings.push(
      warningAt(ctx, 'not-lsio-tested', `${name} is not in ro-convert's LinuxServer table (docs of ${knowledgeProvenance.date}); its read-only support is unknown`, imageKey),
    );
    return warningsOnly(warnings);
  }
  if (!knowledge.readonlySupported) {
    warnings.push(warningAt(ctx, 'not-lsio-tested', `LinuxServer has not tested ${name} read-only (its readme declares no read-only support)`, imageKey));
  }
  for (const caveat of knowledge.caveats) {
    if (knowledge.needsTmpTmpfs && TMP_CAVEAT.test(caveat)) continue;
    warnings.push(warningAt(ctx, 'image-caveat', `${name} read-only caveat: ${caveat}`, imageKey));
  }
  return warningsOnly(warnings);
}

/** True when a variable sits in the image's name (registry or path), not only in its tag or digest. */
function variableInName(image: string, tag: string | null, digest: string | null): boolean {
  let name = image;
  if (digest !== null && name.endsWith(`@${digest}`)) name = name.slice(0, -digest.length - 1);
  if (tag !== null && name.endsWith(`:${tag}`)) name = name.slice(0, -tag.length - 1);
  return /\$(\{|[A-Za-z_])/.test(name);
}
