import type { Warning } from '../src/plan/diagnostics.js';
import { knowledgeProvenance } from '../src/knowledge/index.js';
import { nameWithoutTag } from '../src/knowledge/image-ref.js';
import { serviceMounts } from '../src/model/locate.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { firedMootSettings } from './warn-moot.js';
import { keyNode, lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/** The `/tmp` caveat: the tmpfs transform adds `/tmp` and reports it as a change. */
const TMP_CAVEAT = /^`\/tmp` must (also )?be mounted to tmpfs/i;

/**
 * Caveats a file can already meet, and how to tell: then they are not repeated. Plex's transcode
 * directory (`/transcode` in LinuxServer's examples) must be a host path or a tmpfs.
 */
const MET: readonly { image: string; caveat: RegExp; met(ctx: ServiceContext): boolean }[] = [
  {
    image: 'plex',
    caveat: /^Transcode directory must be mounted to a host path or tmpfs/,
    met: (ctx) => serviceMounts(ctx.service, ctx.doc).some((m) => m.target === '/transcode' && (m.kind === 'bind' || m.kind === 'tmpfs')),
  },
];

/** How to learn where an image writes: said by every warning about an image ro-convert does not know. */
const FIND_OUT = 'to see where it writes, run it writable and read `docker diff CONTAINER` (or use `ro-convert preflight`)';

/**
 * What is known about the image itself: an image only known at run time (`${VAR}` outside the
 * tag), an image in neither table (or no image in this file), a LinuxServer image that does not
 * declare read-only support, and each read-only caveat of its readme, verbatim, said once: not the
 * `/tmp` one (the conversion fulfils it), not one the file already meets, not one a moot setting
 * names.
 */
export function warnImage(ctx: ServiceContext): TransformResult {
  const ref = ctx.service.imageRef;
  if (!ref) {
    return warningsOnly([
      warningAt(
        ctx,
        'unknown-image',
        `no image here (set in another file, or built): the image is unknown here, so /run:exec is given in case it is s6-based and nothing else is known; ${FIND_OUT}`,
        null,
      ),
    ]);
  }
  const imageKey = keyNode(ctx, 'image');
  const warnings: Warning[] = [];
  const name = lsioName(ctx);
  if (ref.hasVariable && !name && /\$(\{|[A-Za-z_])/.test(nameWithoutTag(ref))) {
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
  if (!name) {
    if (ctx.needs.known === 'unknown') {
      const image = ref.raw.trim();
      warnings.push(
        warningAt(
          ctx,
          'unknown-image',
          `${image} is in neither of ro-convert's tables (LinuxServer's, companions'): where it writes is unknown, and /run:exec is given in case it is s6-based; ${FIND_OUT}`,
          imageKey,
        ),
      );
    }
    return warningsOnly(warnings);
  }
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
  const said = firedMootSettings(ctx).map((fired) => fired.setting.caveat);
  const met = MET.filter((m) => m.image === name && m.met(ctx)).map((m) => m.caveat);
  for (const caveat of knowledge.caveats) {
    if (knowledge.needsTmpTmpfs && TMP_CAVEAT.test(caveat)) continue;
    if ([...said, ...met].some((pattern) => pattern.test(caveat))) continue;
    warnings.push(warningAt(ctx, 'image-caveat', `${name} read-only caveat: ${caveat}`, imageKey));
  }
  return warningsOnly(warnings);
}
