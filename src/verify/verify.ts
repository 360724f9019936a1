import { DEFAULT_SCHEMA, load, Type } from 'js-yaml';
import { parseDocument } from 'yaml';
import type { Plan } from '../plan/plan.js';
import { internalError } from '../parse/errors.js';
import { hasExec, splitEnvEntry, tmpfsPath } from '../model/service-values.js';
import { effectiveServices, plainService } from '../model/effective-service.js';
import { mountCounts, unmetTargets } from '../model/targets.js';
import { parseCompose } from '../parse/parse.js';
import type { ParsedCompose } from '../parse/parse.js';

/** Keys the conversion may change on a selected service; every other key must stay equal. */
const CONVERTED_KEYS = new Set(['read_only', 'tmpfs', 'environment']);

/**
 * Checks converted text before anyone sees it (compose-lint's verify_apply, in layers): the
 * output is re-parsed, by a second, independent parser (js-yaml, also the corpus oracle's), and
 * compared with the input as values after aliases and merge keys: top-level keys other than
 * `services` and `x-*` are equal; the set of services is equal; unselected services are equal;
 * selected services changed only in `read_only`, `tmpfs` and the stripped variables; a planned
 * read_only change left read_only true, and a changed /run is one tmpfs with exec.
 * The stripped variables are checked on the effective views (below): a service that got an
 * environment of its own, or whose merge key gave way to the variables it keeps, must end with
 * its input environment less the stripped names. That a second run changes nothing is proven by
 * the tests, not at run time: it would cost a third parse.
 * @throws ConvertError (`internal`) naming the first failed check
 */
export function verifyConversion(input: string, plan: Plan, output: string): void {
  const [a, b] = loadBoth(input, output, plan);
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
  const selected = new Map(plan.selected.map((s) => [s.service.name, s]));
  for (const name of names) {
    if (name.startsWith('x-')) continue;
    const planned = selected.get(name);
    const [serviceA, serviceB] = [servicesA[name], servicesB[name]];
    if (!planned) {
      if (!same.equal(serviceA, serviceB)) throw internalError(`unselected service ${name} changed`);
      continue;
    }
    if (!isRecord(serviceA) || !isRecord(serviceB)) throw internalError(`service ${name} is no longer a mapping`);
    for (const key of new Set([...Object.keys(serviceA), ...Object.keys(serviceB)])) {
      if (!CONVERTED_KEYS.has(key) && !same.equal(serviceA[key], serviceB[key])) throw internalError(`service ${name}: key ${key} changed`);
    }
    // Compose's environment is a map: the last entry of a name wins, order does not matter.
    const kept = (s: Record<string, unknown>) => JSON.stringify([...new Map(envEntries(s)).entries()].filter(([variable]) => !planned.strip.has(variable)).sort(([x], [y]) => (x < y ? -1 : 1)));
    if (kept(serviceA) !== kept(serviceB)) throw internalError(`service ${name}: environment changed beyond stripping`);
    const otherTmpfs = (s: Record<string, unknown>) =>
      JSON.stringify(tmpfsOf(s).filter((e) => tmpfsPath(e) !== '/run' && !planned.needs.tmpfs.some((need) => need.path === tmpfsPath(e))));
    if (otherTmpfs(serviceA) !== otherTmpfs(serviceB)) throw internalError(`service ${name}: other tmpfs entries changed`);
    // A reported read_only change must be in the output.
    if (planned.report.changes.some((c) => c.code.startsWith('read-only')) && serviceB.read_only !== true) {
      throw internalError(`service ${name}: read_only is not true`);
    }
    // A /run the conversion touched ends as one mount with exec.
    const runs = (s: Record<string, unknown>) => tmpfsOf(s).filter((e) => tmpfsPath(e) === '/run');
    const [runsA, runsB] = [runs(serviceA), runs(serviceB)];
    if (JSON.stringify(runsA) !== JSON.stringify(runsB) && !(runsB.length === 1 && (planned.needs.run !== 'exec' || hasExec(runsB[0]!)))) {
      throw internalError(`service ${name}: /run is not one tmpfs${planned.needs.run === 'exec' ? ' with exec' : ''}`);
    }
  }
  verifyEffective(plan, output);
}

/**
 * The same comparison on the services as Compose builds them (merge keys, same-file
 * `extends`, `!reset`), from the one module the planner reads too: unselected services are
 * identical; selected ones differ only in `read_only`, `tmpfs` and stripped variables, meet
 * every target, mount no path twice that was mounted once, and lost every variable the report
 * says was removed.
 */
function verifyEffective(plan: Plan, output: string): void {
  let parsed: ParsedCompose;
  try {
    parsed = parseCompose(output);
  } catch (error) {
    throw internalError(`the converted text is refused on a second read (${error instanceof Error ? error.message : String(error)})`);
  }
  const before = plan.parsed;
  const after = effectiveServices(parsed.services, parsed.doc);
  const selected = new Map(plan.selected.map((s) => [s.service.name, s]));
  const same = new ValueComparer();
  for (const service of plan.services) {
    const name = service.name;
    const out = after.get(name);
    if (!out) throw internalError(`service ${name} is gone from Compose's view`);
    const [a, b] = [plainService(service.view, before.doc), plainService(out, parsed.doc)];
    const planned = selected.get(name);
    if (!planned) {
      if (!same.equal(a, b)) throw internalError(`unselected service ${name} changed in Compose's view (through a merge key or extends)`);
      continue;
    }
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!CONVERTED_KEYS.has(key) && !same.equal(a[key], b[key])) throw internalError(`service ${name}: ${key} changed in Compose's view`);
    }
    const keptEnv = (env: unknown) => Object.entries((env ?? {}) as Record<string, unknown>).filter(([variable]) => !planned.strip.has(variable)).sort(([x], [y]) => (x < y ? -1 : 1));
    if (!same.equal(keptEnv(a.environment), keptEnv(b.environment))) throw internalError(`service ${name}: environment changed beyond stripping in Compose's view`);
    const removed = planned.report.changes.filter((c) => c.code === 'env-removed').map((c) => c.message.replace(/^removed /, ''));
    const left = out.environment.find((e) => removed.includes(e.name));
    if (left) throw internalError(`service ${name}: the report says ${left.name} was removed, but Compose still sets it`);
    const unmet = unmetTargets(out, planned.needs);
    // A `${VAR}` read_only is the user's run-time choice (left with a warning).
    if (unmet.length) throw internalError(`service ${name}: ${unmet.join('; ')} in Compose's view`);
    const countsBefore = mountCounts(service.view);
    for (const [path, count] of mountCounts(out)) {
      if (count > 1 && count > (countsBefore.get(path) ?? 0)) throw internalError(`service ${name}: ${path} is mounted ${count} times (the engine refuses a duplicate mount point)`);
    }
  }
}

type Root = Record<string, unknown>;

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

/** A value under a tag the schema does not know (`!reset`, `!!python/…`): kept with its tag, never run. */
class Tagged {
  constructor(
    readonly tag: string,
    readonly data: unknown,
  ) {}
}
const anyTag = (kind: 'scalar' | 'sequence' | 'mapping') => new Type('', { kind, multi: true, construct: (data, tag) => new Tagged(tag ?? '', data) });
const SCHEMA = DEFAULT_SCHEMA.extend([anyTag('scalar'), anyTag('sequence'), anyTag('mapping')]);

function loadJsYaml(text: string): unknown {
  return load(text, { schema: SCHEMA });
}

function loadYaml(text: string): unknown {
  const doc = parseDocument(text, { merge: true, prettyErrors: false, uniqueKeys: true });
  if (doc.errors[0]) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: -1 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Tagged);
}

/** The `[name, value]` pairs of a service's environment, list or mapping form (value null: unset). */
function envEntries(service: Record<string, unknown>): [string, string | null][] {
  const env = service.environment;
  if (Array.isArray(env)) {
    return env.filter((item) => item !== null && typeof item !== 'object').map((item) => splitEnvEntry(String(item)));
  }
  if (isRecord(env)) return Object.entries(env).map(([name, value]) => [name, value === null || typeof value === 'object' ? null : String(value)]);
  return [];
}

/** A service's tmpfs entries (one string or a list), as strings. */
function tmpfsOf(service: Record<string, unknown>): string[] {
  const tmpfs = service.tmpfs;
  return (Array.isArray(tmpfs) ? tmpfs : [tmpfs]).filter((e) => e !== null && e !== undefined && typeof e !== 'object').map(String);
}

/**
 * Structural equality of plain values from two loads. Aliases load as shared references, so
 * each pair of objects is compared once: shared structure and alias bombs stay linear.
 */
class ValueComparer {
  private readonly proven = new WeakMap<object, WeakSet<object>>();

  equal(x: unknown, y: unknown): boolean {
    if (Object.is(x, y)) return true;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    let seen = this.proven.get(x);
    if (seen?.has(y)) return true;
    if (!seen) this.proven.set(x, (seen = new WeakSet()));
    seen.add(y);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
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
