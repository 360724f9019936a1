import * as jsYaml from 'js-yaml';
import { CORE_SCHEMA, load, Type } from 'js-yaml';
import { isMap, isNode, isScalar, parseDocument, Scalar, visit, YAMLMap } from 'yaml';
import type { Document, Node } from 'yaml';
import { isMergeKey, mergedMaps } from '../parse/yaml-nodes.js';
import { taggedScalarValue } from '../parse/compose-tags.js';
import type { Plan, PlannedService } from '../plan/plan.js';
import { ConvertError, internalError } from '../parse/errors.js';
import { tmpfsPath } from '../model/service-values.js';
import { extendsTarget, isRecord, plainServices, Tagged, withComposeTags } from '../model/plain-services.js';
import type { PlainService } from '../model/plain-services.js';
import { servicesOfFiles } from '../model/extends-files.js';
import type { ServiceOfFile } from '../model/extends-files.js';
import { isRunEntry, mountCounts, unmetTargets } from '../model/targets.js';
import { plainDocument } from './plain-document.js';

/** Keys the conversion may change on a selected service; every other key must stay equal. */
const CONVERTED_KEYS = new Set(['read_only', 'tmpfs', 'environment']);

/**
 * Checks converted text before anyone sees it (compose-lint's verify_apply): the output is
 * re-read by a second, independent parser (js-yaml, also the corpus oracle's) and compared with
 * the input (as the planner read it where that is safe, else read the same way as the output),
 * service by service as Compose builds them (aliases, merge keys,
 * same-file `extends`, `!reset`; the rules of model/effective-service.ts on plain values):
 * top-level keys other than `services` and `x-*` are equal; the set of services is equal;
 * unselected services are identical; selected ones differ only in `read_only`, `tmpfs` and the
 * stripped variables, meet every target, mount no path twice that was mounted once, and lost
 * every variable the report says was removed (a service that got an environment of its own, or
 * whose merge key gave way to the variables it keeps, ends with its input environment less the
 * stripped names). That a second run changes nothing is proven by the tests, not at run time:
 * it would cost a third parse (docs/adr/0002).
 * @throws ConvertError (`internal`) naming the first failed check
 */
export function verifyConversion(input: string, plan: Plan, output: string): void {
  const planned = plannedInput(plan);
  if (planned) {
    const converted = loadWith(loadJsYaml, output);
    if (converted && passes(() => compareConversion(planned, converted, plan))) return;
  }
  const [a, b] = loadBoth(input, output, plan);
  compareConversion(a, b, plan);
}

/**
 * The input as the planner's parser read it, reused instead of a second read of the input,
 * for documents without tags (see {@link plainDocument}). The two parsers still differ on rare
 * scalars (`1_000` is a number to js-yaml, a string to `yaml`), so a mismatch against this input
 * is never reported: the check runs again with both texts read by one parser, and only that
 * verdict counts.
 */
function plannedInput(plan: Plan): Root | null {
  const value = plainDocument(plan.parsed.doc);
  return isRecord(value) ? value : null;
}

/** False when `check` found a difference (an internal error); any other exception is a bug and propagates. */
function passes(check: () => void): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof ConvertError && error.code === 'internal') return false;
    throw error;
  }
}

/** The checks of {@link verifyConversion}, on both texts read as plain values. */
function compareConversion(a: Root, b: Root, plan: Plan): void {
  const same = new ValueComparer();
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'services' || key.startsWith('x-')) continue;
    if (!same.equal(a[key], b[key])) throw internalError(`top-level key ${key} changed`);
  }
  const servicesA = a.services;
  const servicesB = b.services;
  if (!isRecord(servicesA) || !isRecord(servicesB)) throw internalError('services is no longer a mapping');
  const names = Object.keys(servicesA);
  if (names.length !== Object.keys(servicesB).length || !names.every((name) => Object.hasOwn(servicesB, name))) {
    throw internalError('the set of services changed');
  }
  // Services of other files that `extends: {file}` names: read again here, by the second parser.
  const foreign = servicesOfFiles(plan.extendsFiles, otherFileServices);
  const [before, after] = [plainServices(servicesA, foreign), plainServices(servicesB, foreign)];
  const selected = new Map(plan.selected.map((s) => [s.service.name, s]));
  const asWritten = new OwnKeysComparer(servicesA, servicesB, same);
  for (const name of names) {
    const planned = selected.get(name);
    const [serviceA, serviceB] = [before.get(name), after.get(name)];
    if (!planned) {
      if (asWritten.equalThroughExtends(name, NO_KEYS)) continue;
      // Not a service Compose builds (`x-*`, not a mapping): compared as written.
      const equal = serviceA && serviceB ? same.equal(serviceA.values, serviceB.values) : same.equal(servicesA[name], servicesB[name]);
      if (!equal) throw internalError(`unselected service ${name} changed${serviceA ? " in Compose's view (its own keys, a merge key or extends)" : ''}`);
      continue;
    }
    if (!serviceA || !serviceB) throw internalError(`service ${name} is no longer a mapping`);
    verifySelected(planned, serviceA, serviceB, selected, same, asWritten.equalThroughExtends(name, CONVERTED_KEYS));
  }
}

const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Compares services as written, key by key: when a service's keys outside `except`, and those
 * of every service it extends, are equal on both sides, Compose's view of those keys is equal
 * too (the view is built from them alone), so the verifier need not build and compare it. Any
 * other answer (a difference, a cycle of `extends`) sends the caller to the view.
 */
class OwnKeysComparer {
  private readonly known = new Map<ReadonlySet<string>, Map<string, boolean>>();

  constructor(
    private readonly a: Root,
    private readonly b: Root,
    private readonly same: ValueComparer,
  ) {}

  equalThroughExtends(name: string, except: ReadonlySet<string>): boolean {
    let known = this.known.get(except);
    if (!known) this.known.set(except, (known = new Map()));
    const answer = known.get(name);
    if (answer !== undefined) return answer;
    // A cycle reaches this name again while it is being compared: no answer from the keys.
    known.set(name, false);
    const x = Object.hasOwn(this.a, name) ? this.a[name] : undefined;
    const y = Object.hasOwn(this.b, name) ? this.b[name] : undefined;
    let equal: boolean;
    if (isRecord(x) && isRecord(y)) {
      const base = extendsTarget(x.extends);
      // A base in another file is the same file on both sides.
      equal = this.sameKeys(x, y, except) && (base === null || base.file !== null || this.equalThroughExtends(base.service, except));
    } else {
      equal = this.same.equal(x, y);
    }
    known.set(name, equal);
    return equal;
  }

  private sameKeys(x: Root, y: Root, except: ReadonlySet<string>): boolean {
    let count = 0;
    for (const key of Object.keys(x)) {
      if (except.has(key)) continue;
      if (!Object.hasOwn(y, key) || !this.same.equal(x[key], y[key])) return false;
      count++;
    }
    for (const key of Object.keys(y)) if (!except.has(key)) count--;
    return count === 0;
  }
}

/**
 * A selected service, input against output: only the converted keys changed, and every target
 * is met. `sameOtherKeys`: its keys outside the converted ones, and those of the services it
 * extends, are equal as written, so the view's are too.
 */
function verifySelected(planned: PlannedService, a: PlainService, b: PlainService, selected: ReadonlyMap<string, PlannedService>, same: ValueComparer, sameOtherKeys: boolean): void {
  const { name } = planned.service;
  if (!sameOtherKeys) {
    for (const key of new Set([...Object.keys(a.values), ...Object.keys(b.values)])) {
      if (!CONVERTED_KEYS.has(key) && !same.equal(a.values[key], b.values[key])) throw internalError(`service ${name}: key ${key} changed`);
    }
  }
  if (!sameKeptEnvironment(a.environment, b.environment, planned.strip)) throw internalError(`service ${name}: environment changed beyond stripping`);
  const removed = planned.report.changes.filter((c) => c.code === 'env-removed').map((c) => c.message.replace(/^removed /, ''));
  const left = removed.find((variable) => b.environment.has(variable));
  if (left) throw internalError(`service ${name}: the report says ${left} was removed, but Compose still sets it`);
  // Beside /run, only paths it or a converted service it extends needs (Compose appends a base's tmpfs).
  const needed = new Set(planned.needs.tmpfs.map((need) => need.path));
  for (let base = planned.service.view.base; base; base = base.base) for (const need of selected.get(base.name)?.needs.tmpfs ?? []) needed.add(need.path);
  const other = (s: PlainService) => s.tmpfs.filter((e) => !isRunEntry(e) && !needed.has(tmpfsPath(e)));
  if (!same.equal(other(a), other(b))) throw internalError(`service ${name}: other tmpfs entries changed`);
  // A `${VAR}` read_only is the user's run-time choice (left with a warning).
  const unmet = unmetTargets(b, planned.needs, planned.readOnly);
  if (unmet.length) throw internalError(`service ${name}: ${unmet.join('; ')}`);
  const countsBefore = mountCounts(a);
  for (const [path, count] of mountCounts(b)) {
    if (count > 1 && count > (countsBefore.get(path) ?? 0)) throw internalError(`service ${name}: ${path} is mounted ${count} times (the engine refuses a duplicate mount point)`);
  }
}

/** Compose's environment is a map: the same variables outside `strip` with the same values, in any order. */
function sameKeptEnvironment(a: ReadonlyMap<string, string | null>, b: ReadonlyMap<string, string | null>, strip: { has(name: string): boolean }): boolean {
  let kept = 0;
  for (const [variable, value] of a) {
    if (strip.has(variable)) continue;
    if (!b.has(variable) || b.get(variable) !== value) return false;
    kept++;
  }
  for (const variable of b.keys()) if (!strip.has(variable)) kept--;
  return kept === 0;
}

type Root = Record<string, unknown>;

/** The services of another compose file as plain views; null for a file that does not load as one. */
function otherFileServices(text: string, _file: string, nested: ServiceOfFile<PlainService>): Map<string, PlainService> | null {
  const value = readComposeValue(text);
  return value && isRecord(value.services) ? plainServices(value.services, nested) : null;
}

/**
 * Both texts as plain values. js-yaml reads them (about 8× faster than a second `yaml`
 * document); where it cannot read the input as `yaml` did (it refuses something `yaml` accepts,
 * or names a service differently), both are read with `yaml` instead, so the two sides always
 * come from the same parser.
 */
function loadBoth(input: string, output: string, plan: Plan): [Root, Root] {
  const fast = loadWith(loadJsYaml, input);
  if (fast && isRecord(fast.services) && plan.services.every((s) => Object.hasOwn(fast.services as Root, s.name))) {
    return [fast, loadOutput(loadJsYaml, output)];
  }
  const same = loadWith(loadYaml, input);
  if (!same) throw internalError('the input could not be read again for the check');
  return [same, loadOutput(loadYaml, output)];
}

/**
 * A compose text as plain values, read as the verifier reads it (Compose's `!reset` and `!override`
 * kept as {@link Tagged}); null when it does not parse as a mapping. `fileAlone: false` keeps
 * every tag where it is written, for a project merge that applies them across files (a
 * `KEY: !reset null` in a later file removes an earlier file's KEY; read alone, it is dropped).
 */
export function readComposeValue(text: string, fileAlone = true): Root | null {
  return loadWith((t) => loadJsYaml(t, fileAlone), text) ?? loadWith((t) => loadYaml(t, fileAlone), text);
}

function loadWith(loader: (text: string) => unknown, text: string): Root | null {
  try {
    const value = loader(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function loadOutput(loader: (text: string) => unknown, text: string): Root {
  let value: unknown;
  try {
    value = loader(text);
  } catch (error) {
    throw internalError(`the converted text does not parse (${String(error instanceof Error ? error.message : error).split('\n')[0]})`);
  }
  if (!isRecord(value)) throw internalError('the converted text is no longer a mapping');
  return value;
}

const anyTag = (kind: 'scalar' | 'sequence' | 'mapping') =>
  new Type('', { kind, multi: true, construct: (data, tag) => new Tagged(tag ?? '', kind === 'scalar' && isComposeTag(tag) && typeof data === 'string' ? taggedScalarValue(data) : data) });
const isComposeTag = (tag: string | undefined) => tag === '!reset' || tag === '!override';
// YAML 1.2's core schema and merge keys, as `yaml` reads the file; no implicit timestamps (one
// regular expression per plain scalar, for nothing Compose reads as a date).
// (`types` is js-yaml's public API, missing from its type declarations.)
const { merge } = (jsYaml as unknown as { types: { merge: Type } }).types;
const SCHEMA = CORE_SCHEMA.extend({ implicit: [merge], explicit: [anyTag('scalar'), anyTag('sequence'), anyTag('mapping')] });

function loadJsYaml(text: string, fileAlone = true): unknown {
  // js-yaml merges a tagged map's wrapper ({tag, data}), not what Compose merges: such files
  // (a merge key and a Compose tag, both rare) are read by `yaml` (loadYaml).
  if (text.includes('<<') && hasComposeTag(text)) throw new Error('a merge key beside a Compose tag: read with yaml');
  const value = load(text, { schema: SCHEMA });
  return fileAlone ? composeRead(value, text) : value;
}

const hasComposeTag = (text: string) => text.includes('!reset') || text.includes('!override');

/** The loaded root with Compose's reading of `!reset`/`!override` (only files that have them). */
function composeRead(value: unknown, text: string): unknown {
  return isRecord(value) && hasComposeTag(text) ? withComposeTags(value) : value;
}

function loadYaml(text: string, fileAlone = true): unknown {
  const doc = parseDocument(text, { merge: true, prettyErrors: false, uniqueKeys: true });
  if (doc.errors[0]) throw doc.errors[0];
  // A merged map merges as Compose merges it: an `!override` one its content, a `!reset` one nothing.
  const merged = text.includes('<<') ? mergedMapsOf(doc) : new Set<Node>();
  // Local tags (`!reset`, `!override`) kept as js-yaml keeps them: Compose reads them.
  visit(doc, (_key, node) => {
    if (isMap(node) && merged.has(node) && isComposeTag(node.tag)) {
      if (node.tag === '!override') return void (node.tag = undefined);
      const nothing = new YAMLMap();
      nothing.anchor = node.anchor;
      return nothing;
    }
    if (isNode(node) && node.tag?.startsWith('!') && !node.tag.startsWith('!!')) {
      const value: unknown = node.toJS(doc, { maxAliasCount: -1 });
      return new Scalar(new Tagged(node.tag, isScalar(node) && isComposeTag(node.tag) && typeof value === 'string' ? taggedScalarValue(value) : value));
    }
  });
  const value: unknown = doc.toJS({ maxAliasCount: -1 });
  return fileAlone ? composeRead(value, text) : value;
}

/** The maps the merge keys of `doc` name (through aliases). */
function mergedMapsOf(doc: Document): Set<Node> {
  const maps = new Set<Node>();
  visit(doc, {
    Pair(_key, pair) {
      if (isMergeKey(pair)) for (const map of mergedMaps(pair, doc)) maps.add(map);
    },
  });
  return maps;
}

/**
 * Structural equality of plain values from two loads. Aliases load as shared references: after
 * a budget of object pairs (far more than any real file needs), each pair of objects is
 * compared once, so shared structure and alias bombs stay linear without a memo on every pair.
 */
class ValueComparer {
  private pairsLeft = 50_000;
  private proven: WeakMap<object, WeakSet<object>> | null = null;

  equal(x: unknown, y: unknown): boolean {
    if (Object.is(x, y)) return true;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (this.proven || --this.pairsLeft < 0) {
      this.proven ??= new WeakMap();
      let seen = this.proven.get(x);
      if (seen?.has(y)) return true;
      if (!seen) this.proven.set(x, (seen = new WeakSet()));
      seen.add(y);
    }
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    if (Array.isArray(x)) return x.length === (y as unknown[]).length && x.every((item, i) => this.equal(item, (y as unknown[])[i]));
    if (x instanceof Date) return x.getTime() === (y as Date).getTime();
    if (ArrayBuffer.isView(x)) return bytes(x).equals(bytes(y as ArrayBufferView));
    if (x instanceof Map || x instanceof Set) return this.equal([...x], [...(y as Map<unknown, unknown> | Set<unknown>)]);
    const keys = Object.keys(x);
    const other = y as Record<string, unknown>;
    return keys.length === Object.keys(other).length && keys.every((k) => Object.hasOwn(other, k) && this.equal((x as Record<string, unknown>)[k], other[k]));
  }
}

function bytes(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
