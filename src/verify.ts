import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ConvertOptions, Plan } from './convert.js';
import { planConversion } from './convert.js';
import { ConvertError, internalError } from './errors.js';
import { locateServices } from './locate.js';
import { parseCompose } from './parse.js';
import type { ParsedCompose } from './parse.js';
import { environmentEntries, tmpfsEntries, tmpfsPath } from './service-values.js';
import { effectiveKeys, keyName, resolveNode } from './yaml-nodes.js';

/** Keys the conversion may change on a selected service; every other key must stay equal. */
const CONVERTED_KEYS = new Set(['read_only', 'tmpfs', 'environment']);

/**
 * Checks converted text before anyone sees it (compose-lint's verify_apply, in layers):
 * it parses; top-level keys other than `services` and `x-*` are unchanged; unselected
 * services are unchanged; selected services changed only in `read_only`, `tmpfs` and the
 * stripped variables; and planning again finds nothing to do.
 * @throws ConvertError (`internal`) naming the first failed check
 */
export function verifyConversion(before: ParsedCompose, plan: Plan, output: string, options: ConvertOptions): void {
  let after: ParsedCompose;
  try {
    after = parseCompose(output);
  } catch (error) {
    throw internalError(`the converted text does not parse (${error instanceof ConvertError ? error.message : String(error)})`);
  }
  const same = new NodeComparer(before.doc, after.doc);
  const topKeys = (p: ParsedCompose) => p.root.items.map(keyName).filter((k): k is string => k !== null && k !== 'services' && !k.startsWith('x-'));
  for (const key of new Set([...topKeys(before), ...topKeys(after)])) {
    if (!same.equal(before.root.get(key, true), after.root.get(key, true))) throw internalError(`top-level key ${key} changed`);
  }
  const afterServices = new Map(locateServices(after).map((s) => [s.name, s]));
  if (afterServices.size !== plan.services.length) throw internalError('the set of services changed');
  const selected = new Map(plan.selected.map((s) => [s.service.name, s]));
  for (const service of plan.services) {
    const converted = afterServices.get(service.name);
    if (!converted) throw internalError(`service ${service.name} disappeared`);
    const planned = selected.get(service.name);
    if (!planned) {
      if (!same.equal(service.map, converted.map)) throw internalError(`unselected service ${service.name} changed`);
      continue;
    }
    const keysBefore = effectiveKeys(service.map, before.doc);
    const keysAfter = effectiveKeys(converted.map, after.doc);
    for (const key of new Set([...keysBefore.keys(), ...keysAfter.keys()])) {
      if (CONVERTED_KEYS.has(key)) continue;
      if (!same.equal(keysBefore.get(key)?.pair.value, keysAfter.get(key)?.pair.value)) throw internalError(`service ${service.name}: key ${key} changed`);
    }
    const kept = (map: typeof service.map, doc: Document) =>
      JSON.stringify(environmentEntries(map, doc).filter((e) => !planned.strip.has(e.name)).map((e) => [e.name, e.value]));
    if (kept(service.map, before.doc) !== kept(converted.map, after.doc)) throw internalError(`service ${service.name}: environment changed beyond stripping`);
    const otherTmpfs = (map: typeof service.map, doc: Document) =>
      JSON.stringify(tmpfsEntries(map, doc).filter((e) => tmpfsPath(e) !== '/run' && !(planned.needsTmp && tmpfsPath(e) === '/tmp')));
    if (otherTmpfs(service.map, before.doc) !== otherTmpfs(converted.map, after.doc)) throw internalError(`service ${service.name}: other tmpfs entries changed`);
  }
  const again = planConversion(after, options, { warnings: false });
  if (again.edits.length > 0) throw internalError('a second run would change the file again (not idempotent)');
}

/**
 * Structural equality of YAML values across two documents, following aliases without expanding
 * them (each pair of nodes is compared once, so shared structure or an alias bomb stays linear)
 * and comparing maps by their keys after merges.
 */
class NodeComparer {
  private readonly proven = new Map<Node, Set<Node>>();
  constructor(
    private readonly a: Document,
    private readonly b: Document,
  ) {}

  equal(x: unknown, y: unknown): boolean {
    const left = resolveNode(x, this.a);
    const right = resolveNode(y, this.b);
    if (!left || !right) return !left && !right;
    let seen = this.proven.get(left);
    if (seen?.has(right)) return true;
    if (!seen) this.proven.set(left, (seen = new Set()));
    seen.add(right);
    if (isScalar(left) || isScalar(right)) {
      return isScalar(left) && isScalar(right) && sameScalar(left.value, right.value) && left.tag === right.tag;
    }
    if (isSeq(left) && isSeq(right)) {
      return left.items.length === right.items.length && left.items.every((item, i) => this.equal(item, right.items[i]));
    }
    if (isMap(left) && isMap(right)) {
      // As Compose sees them: after merge keys, so a shared block may change where every map
      // merging it overrides the changed key.
      const a = effectiveKeys(left, this.a);
      const b = effectiveKeys(right, this.b);
      return a.size === b.size && [...a].every(([key, entry]) => b.has(key) && this.equal(entry.pair.value, b.get(key)!.pair.value));
    }
    return false;
  }
}

function sameScalar(x: unknown, y: unknown): boolean {
  return x === y || (Number.isNaN(x) && Number.isNaN(y));
}
