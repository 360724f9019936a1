import { isAlias, isScalar } from 'yaml';
import type { Node } from 'yaml';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { nothing } from '../src/plan/transform.js';
import { addMapEntries, missingIndicator, valueIndicator } from '../src/plan/yaml-edit.js';
import { contentEnd, hasVariable, resolveNode } from '../src/parse/yaml-nodes.js';
import { tagStart } from '../src/parse/compose-tags.js';

/**
 * Sets `read_only: true`. A missing key is added at the end of the service; a `false` (or any
 * other non-true value) is replaced in place, or overridden on the service itself when it comes
 * through a merge key from a block that other services share. A `${VAR}` value is the user's
 * run-time choice: it is left alone, with a warning.
 */
export function readOnly(ctx: ServiceContext): TransformResult {
  const { service, doc, layout } = ctx;
  // Own, merged or from a same-file `extends` base, as Compose reads it.
  const found = service.view.readOnly?.field;
  const result = nothing();
  const override = () => {
    result.edits.push(addMapEntries(layout, service.map, [{ key: 'read_only', value: 'true' }], ctx.style));
  };
  const written = service.view.mapFields.get('read_only');
  if (!found && written && !written.merged && written.value && ctx.canEdit(written.owner)) {
    // `read_only: !reset …` on the service itself: Compose drops the key, so the value is
    // replaced, tag and all (a second `read_only` key would not parse).
    result.edits.push({ start: tagStart(written.value, layout.text), end: contentEnd(written.value, layout.text), text: 'true', target: written.owner });
    result.changes.push({ code: 'read-only-set', message: `read_only was reset (${written.value.tag}); set to true`, line: ctx.lineOf((written.pair.key as Node).range![0]) });
    return result;
  }
  if (!found) {
    // A cron sidecar merging its converted main service gets the main service's new key.
    const giver = ctx.receivesThroughMerge('read_only');
    if (!giver) override();
    const message = giver ? `read_only: true added to ${giver}, whose mapping it merges (<<)` : 'added read_only: true';
    result.changes.push({ code: 'read-only-added', message, line: ctx.lineOf(service.key.range![0]) });
    return result;
  }
  const value = resolveNode(found.pair.value, doc);
  if (isScalar(value) && value.value === true) return result;
  const at = (found.pair.key as Node).range![0];
  const was = isScalar(value) ? JSON.stringify(value.value) : 'a non-scalar value';
  if (isScalar(value) && hasVariable(value)) {
    result.warnings.push({
      code: 'read-only-variable',
      message: `read_only is ${value.source ?? String(value.value)}, set at run time; left as it is`,
      line: ctx.lineOf(at),
    });
    return result;
  }
  const own = found.pair.value as Node | null;
  const inherited = found.service !== service.name;
  if (inherited || (found.merged && !(own && ctx.canEdit(own)))) {
    override();
    const through = inherited ? `from ${found.service} (extends)` : 'through a merge key';
    result.changes.push({ code: 'read-only-overridden', message: `read_only was ${was} ${through}; set to true on the service`, line: ctx.lineOf(at) });
    return result;
  }
  if (isScalar(own) && own.range![0] === own.range![1]) {
    // `read_only:` with no value: the value goes right after the colon (before any comment).
    const colon = valueIndicator(layout, found.pair)! + 1;
    result.edits.push({ start: colon, end: colon, text: ' true', target: own });
  } else if (own && (isScalar(own) || isAlias(own))) {
    result.edits.push({ start: own.range![0], end: own.range![1], text: 'true', target: isAlias(own) ? found.owner : own });
  } else if (own) {
    result.edits.push({ start: own.range![0], end: contentEnd(own, layout.text), text: 'true', target: found.owner });
  } else {
    // `? read_only` alone (or `{read_only}`): no `:` yet.
    const keyEnd = (found.pair.key as Node).range![1];
    const end = found.owner.flow ? keyEnd : layout.lineEnd(keyEnd);
    result.edits.push({ start: end, end: end, text: `${missingIndicator(layout, found.owner, found.pair)} true`, target: found.owner });
  }
  result.changes.push({ code: 'read-only-set', message: `read_only was ${was}; set to true`, line: ctx.lineOf(at) });
  return result;
}
