import { isScalar } from 'yaml';
import type { Warning } from '../src/plan/diagnostics.js';
import { confidenceText } from '../src/knowledge/companions.js';
import type { CompanionFact, CompanionImage } from '../src/knowledge/companions.js';
import type { TmpfsNeed } from '../src/knowledge/needs.js';
import { environmentEntries } from '../src/model/service-values.js';
import { mappedValue } from '../src/model/effective-service.js';
import { serviceMounts } from '../src/model/locate.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { isMounted } from '../src/model/mounts.js';
import type { Mount } from '../src/model/mounts.js';
import { keyNode, listText, warningAt, warningsOnly } from './warn-helpers.js';

/** `(documented by the image: SOURCE)`: every companion fact is shown with how sure it is. */
const sourced = (fact: { confidence: string; source: string }) => `(${confidenceText(fact.confidence)}: ${fact.source})`;

/**
 * What the companion table knows about a service's official or third-party image
 * (src/knowledge/companions.json), each fact with its confidence and source: what the conversion
 * gives it (`companion-image`), where it is known to break (`image-breaks`; with `--strict` the
 * file is refused), its caveats, paths it writes that no volume holds, and tmpfs entries known
 * only on weaker evidence, which are named, not added (`image-caveat`).
 */
export function warnCompanion(ctx: ServiceContext): TransformResult {
  if (ctx.needs.known !== 'companion') return warningsOnly([]);
  const image = ctx.service.companion;
  if (!image) return warningsOnly([]);
  const at = keyNode(ctx, 'image');
  const mounts = serviceMounts(ctx.service, ctx.doc);
  const applies = (fact: CompanionFact) => conditionHolds(ctx, mounts, fact);
  const warnings: Warning[] = [warningAt(ctx, 'companion-image', `${summary(ctx, image)} ${sourced(image)}`, at)];
  for (const fact of image.breaks.filter(applies)) {
    warnings.push(warningAt(ctx, 'image-breaks', `${image.name} is known to break read-only: ${fact.text} ${sourced(fact)}`, at));
  }
  for (const fact of image.caveats.filter(applies)) {
    warnings.push(warningAt(ctx, 'image-caveat', `${image.name} read-only caveat: ${fact.text} ${sourced(fact)}`, at));
  }
  for (const volume of image.volumes.filter((v) => !isMounted(mounts, v.path))) {
    warnings.push(warningAt(ctx, 'image-caveat', `${image.name} read-only caveat: ${volume.text} ${sourced(volume)}`, at));
  }
  const suggested = ctx.needs.suggested.filter((need) => !isMounted(mounts, need.path));
  for (const [source, needs] of groupBySource(suggested)) {
    const entries = listText(needs.map((n) => n.path));
    warnings.push(warningAt(ctx, 'image-caveat', `${image.name} may also need tmpfs ${entries} (${source}); not added, as this is not documented or verified`, at));
  }
  return warningsOnly(warnings);
}

/** What the image needs read-only, in one sentence. */
function summary(ctx: ServiceContext, image: CompanionImage): string {
  const run = ctx.needs.run === 'exec' ? '/run as a tmpfs with exec (s6-based)' : ctx.needs.run === 'plain' ? '/run as a tmpfs without exec' : 'nothing at /run';
  const tmpfs = ctx.needs.tmpfs.length ? `tmpfs ${listText(ctx.needs.tmpfs.map((t) => t.path))} and ` : '';
  return `${image.name} is not a LinuxServer image; ro-convert's companion table says it needs ${tmpfs}${run} read-only`;
}

function groupBySource(needs: readonly TmpfsNeed[]): Map<string, TmpfsNeed[]> {
  const groups = new Map<string, TmpfsNeed[]>();
  for (const need of needs) groups.set(need.source, [...(groups.get(need.source) ?? []), need]);
  return groups;
}

/** Whether a conditional fact applies to this service (an unconditional one always does). */
function conditionHolds(ctx: ServiceContext, mounts: readonly Mount[], fact: CompanionFact): boolean {
  const when = fact.when;
  if (!when) return true;
  const env = () => environmentEntries(mappedValue(ctx.service.view, 'environment'), ctx.doc);
  if (when.env !== undefined && !env().some((e) => e.name === when.env && e.value !== '')) return false;
  if (when.mounts !== undefined && !isMounted(mounts, when.mounts)) return false;
  if (when.unlessMounts !== undefined && isMounted(mounts, when.unlessMounts)) return false;
  if (when.stripped !== undefined && !(ctx.strip.has(when.stripped) && env().some((e) => e.name === when.stripped))) return false;
  if (when.user) {
    const user = mappedValue(ctx.service.view, 'user');
    if (!isScalar(user) || user.value === null || ['', 'root', '0'].includes(String(user.value).split(':')[0]!.trim())) return false;
  }
  return true;
}
