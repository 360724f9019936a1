import { isMap, isPair, isScalar } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { ConvertError } from '../parse/errors.js';
import { parseCompose } from '../parse/parse.js';
import type { ParsedCompose } from '../parse/parse.js';
import { contentEnd, keyName } from '../parse/yaml-nodes.js';
import { applyEdits } from '../plan/edits.js';
import type { TextEdit } from '../plan/edits.js';
import type { Change, ServiceReport, Warning } from '../plan/diagnostics.js';
import { addMapEntries, scalarText } from '../plan/yaml-edit.js';
import type { NewEntry } from '../plan/yaml-edit.js';
import { imageFacts } from '../model/locate.js';
import type { ImageFacts } from '../model/locate.js';
import { mountPath } from '../model/effective-service.js';
import { isSelected, skippedAsUntested, stripPolicy } from '../model/select.js';
import type { StripPolicy } from '../model/select.js';
import { mountedPaths, unmetTargets } from '../model/targets.js';
import { tmpfsPath } from '../model/service-values.js';
import { mountNeeds } from '../knowledge/needs.js';
import { readComposeValue } from '../verify/verify.js';
import { unifiedDiff } from '../report/diff.js';
import { runEntryWithExec, tmpfsNeedEntry } from '../../transforms/tmpfs.js';
import { verifyProject } from './convert-project.js';
import type { ProjectConvertOptions } from './convert-project.js';
import { mergeProject } from './merge.js';
import type { MergedProject, MergedService, ProjectFiles, ReadProjectFile } from './merge.js';

/**
 * Hardening as a layer (docs/adr/0014): the conversion written as one override file that
 * Compose loads after the project's own files, which stay byte-identical. A layer says, per
 * selected service, the least Compose needs to run it read-only: `read_only: true`; `tmpfs` as
 * the whole list the service ends up with (`!override` where an earlier file has a tmpfs, since
 * Compose appends lists); stripped variables as `KEY: !reset null` where one earlier file
 * alone writes the service's `environment`, as a mapping (Compose 2.26 ignores the reset over a
 * list, and over two files' environments), else `environment: !override` with the variables kept.
 */
export interface LayerOptions extends Omit<ProjectConvertOptions, 'override' | 'named'> {
  /** The layer file (absolute). */
  path: string;
  /** How Compose loads it: as the project's override file (found by default discovery), or named last (`-f … -f LAYER`). */
  loading: 'override' | 'last-file';
}

/** A layer written or brought up to date. */
export interface LayerResult {
  path: string;
  /** The layer as it was; null when there was none. */
  input: string | null;
  output: string;
  changed: boolean;
  /** The compose files the layer goes over, in the order Compose loads them (included files left out: their includer loads them). */
  baseFiles: string[];
  /** How Compose loads the layer, in one sentence for the user. */
  loadedBy: string;
  /** Per selected service: what the layer does to it and what the user should know. */
  services: ServiceReport[];
  /**
   * What the project with the layer as it was leaves undone (a service writable, `/run` missing,
   * a stripped variable back): empty when the project already runs read-only; `--check` fails otherwise.
   */
  unmet: string[];
  diff: string;
  /** Every service of the project with its files, for "unknown service" messages. */
  serviceNames: string[];
  names: string[];
  skippedUntested: string[];
}

const NO_IMAGE: Pick<ImageFacts, 'imageRef' | 'knowledge' | 'needs'> = { imageRef: null, knowledge: undefined, needs: mountNeeds(null, undefined, undefined) };

/** What the layer must say for one service (null keys: the layer leaves them as they are). */
interface ServiceLayer {
  name: string;
  readOnly: boolean;
  tmpfs: { entries: string[]; override: boolean } | null;
  environment: { resets: string[] } | { override: [string, string | null][] } | null;
  report: ServiceReport;
}

/**
 * Writes the selected services' conversion as a layer over the project, or edits the layer
 * that exists (surgically: its comments and other services kept; a second run changes nothing).
 * The project's merged view with the new layer is checked as for any project conversion.
 * @throws ConvertError when the layer is not loaded last (or is included, or includes), a named
 *   service is not in the project, the layer cannot be edited in place, or the merged view with
 *   the layer fails a check (nothing is written)
 */
export function writeLayer(project: ProjectFiles, read: ReadProjectFile, options: LayerOptions): LayerResult {
  const { base, input } = splitLayer(project, read, options);
  const withInput = input === null ? base : withLayer(base, options.path, input);
  const before = mergeProject(base, read);
  const current = mergeProject(withInput, read);
  const facts = new Map([...current.values()].map((s) => [s.name, s.image ? imageFacts(s.image) : NO_IMAGE]));
  const policy = (s: MergedService) => stripPolicy(Boolean(facts.get(s.name)!.imageRef?.lsioName), options);
  const selected = [...current.values()].filter((s) => isSelected({ name: s.name, ...facts.get(s.name)! }, options));
  const serviceNames = [...current.values()].map((s) => `${s.name} (${s.files.map(options.display).join(', ')})`);
  const unknown = (options.services ?? []).filter((name) => !current.has(name));
  if (unknown.length) throw new ConvertError('unknown-service', `no service${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in the project (services: ${serviceNames.join(', ')})`);
  let rawEnvironment: MergedProject | null = null;
  const raw = () => (rawEnvironment ??= mergeProject(uninterpolated(withInput), read));

  const unmet: string[] = [];
  const plans = selected.map((service) => {
    const plan = planService(service, before.get(service.name) ?? null, facts.get(service.name)!, policy(service), options, raw);
    unmet.push(...unmetNow(service, facts.get(service.name)!, policy(service)).map((why) => `${service.name}: ${why}`));
    return plan;
  });
  const output = input === null ? newLayer(base, plans, options) : editedLayer(input, plans, options);
  const changed = output !== input;
  const reports = plans.map((p) => p.report);
  if (changed) {
    // The merged view with the layer: the checks every project conversion passes, with the
    // layer standing in as the one changed file (it is an empty layer before).
    const stub = withLayer(base, options.path, input ?? 'services: {}\n');
    const layerFile = { path: options.path, kind: 'compose' as const, input: input ?? '', output, changed, services: reports, diff: '', result: null };
    verifyProject(stub, read, current, [layerFile], new Map(selected.map((s) => [s.name, policy(s)])), facts);
    const after = mergeProject(withLayer(base, options.path, output), read);
    for (const service of selected) {
      const strip = policy(service);
      const left = strippable(after.get(service.name)!, strip);
      if (left.length) throw new ConvertError('no-placement', `service ${service.name}: ${left.join(', ')} still set by a compose file in Compose's merged view with the layer; nothing was written`);
    }
  }
  const display = options.display;
  return {
    path: options.path,
    input,
    output,
    changed,
    baseFiles: base.files.map((f) => f.path),
    loadedBy: loadedBy(base, options),
    services: reports,
    unmet,
    diff: changed ? unifiedDiff(display(options.path), input ?? '', output, [{ start: 0, end: (input ?? '').length, text: output }]) : '',
    serviceNames,
    names: [...current.keys()],
    skippedUntested: [...current.values()].filter((s) => skippedAsUntested({ name: s.name, ...facts.get(s.name)! }, options)).map((s) => s.name),
  };
}

/**
 * The project without the layer, and the layer's text as it is (null: no layer yet). A layer
 * in the `-f` chain must be its last file, and no file may include it.
 */
function splitLayer(project: ProjectFiles, read: ReadProjectFile, options: LayerOptions): { base: ProjectFiles; input: string | null } {
  const at = project.files.findIndex((f) => f.path === options.path);
  if (at >= 0 && at !== project.files.length - 1) {
    throw new ConvertError('no-placement', `the layer ${options.display(options.path)} is loaded before ${options.display(project.files[at + 1]!.path)}; a layer must be the last file Compose loads`);
  }
  const included = (p: ProjectFiles): boolean => p.files.some((f) => f.includes.some((i) => i.files.some((g) => g.path === options.path) || included(i)));
  if (included(project)) throw new ConvertError('no-placement', `the layer ${options.display(options.path)} is included by a file of the project; a layer must be loaded last, on its own`);
  const base = { ...project, files: project.files.filter((f) => f.path !== options.path) };
  if (base.files.length === 0) throw new ConvertError('no-placement', `the layer ${options.display(options.path)} is the only file of the project; name the project's own files before it`);
  const input = at >= 0 ? project.files[at]!.text : read(options.path);
  if (input !== null && readComposeValue(input)?.include !== undefined) {
    throw new ConvertError('no-placement', `the layer ${options.display(options.path)} has include:, which Compose does not let an override file carry over the files before it`);
  }
  return { base, input };
}

/** The project with the layer loaded last. */
function withLayer(base: ProjectFiles, path: string, text: string): ProjectFiles {
  return { ...base, files: [...base.files, { path, text, includes: [] }] };
}

/**
 * The project as written, not interpolated: every `$` doubled (Compose's escape) and no
 * variables, so the merged values read back as the files write them (`${TZ:-UTC}`, a bare `TZ`).
 * A layer copies kept variables from it: interpolated values would freeze the `.env`'s.
 */
function uninterpolated(project: ProjectFiles): ProjectFiles {
  return {
    ...project,
    environment: {},
    files: project.files.map((f) => ({ ...f, text: f.text.replaceAll('$', '$$$$'), includes: f.includes.map(uninterpolated) })),
  };
}

/** What the project with the layer as it is leaves undone for one selected service. */
function unmetNow(service: MergedService, facts: Pick<ImageFacts, 'needs'>, strip: StripPolicy): string[] {
  const unmet = unmetTargets({ readOnly: service.readOnly, tmpfs: service.tmpfs.map((t) => t.entry), volumePaths: service.volumePaths }, facts.needs);
  const left = strippable(service, strip);
  if (left.length) unmet.push(`${left.join(', ')} still set`);
  return unmet;
}

/** The stripped variables that compose files alone give a service (a layer removes those; an env file's stay). */
function strippable(service: MergedService, strip: StripPolicy): string[] {
  return [...service.environment].filter(([name, source]) => strip.has(name) && source.files.length > 0 && source.envFiles.length === 0).map(([name]) => name);
}

/**
 * What the layer says for one service, from the project without the layer (`before`: what an
 * earlier file writes) and with the layer as it is (`service`: what the layer adds already).
 */
function planService(
  service: MergedService,
  before: MergedService | null,
  facts: Pick<ImageFacts, 'imageRef' | 'needs'>,
  strip: StripPolicy,
  options: LayerOptions,
  raw: () => MergedProject,
): ServiceLayer {
  const changes: Change[] = [];
  const warnings: Warning[] = [];
  const change = (code: Change['code'], message: string) => changes.push({ code, message, line: 1 });
  const readOnly = service.readOnly !== true || service.readOnlyFile !== options.path;
  if (readOnly) change('read-only-added', `read_only: true in the layer${service.readOnly === true ? ' (kept if an upstream file drops it)' : ''}`);

  // tmpfs: the earlier files' list, then the layer's own entries, with /run and the image's needs.
  const earlier = before?.tmpfs.map((t) => t.entry) ?? [];
  const layerOwn = service.tmpfs.filter((t) => t.file === options.path).map((t) => t.entry);
  const earlierPaths = new Set(earlier.map((e) => mountPath(tmpfsPath(e))));
  const list = [...earlier, ...layerOwn.filter((e) => !earlierPaths.has(mountPath(tmpfsPath(e))))];
  const runVolume = service.volumePaths.some((p) => mountPath(p) === '/run') || list.some((e) => tmpfsPath(e) === '/var/run');
  if (runVolume && facts.needs.run === 'exec') {
    warnings.push({ code: 'run-tmpfs-volume', message: '/run is a volume or a /var/run tmpfs, which cannot carry exec; an s6 image needs `tmpfs: [/run:exec]` instead (left as it is: a layer would have to replace the service\'s volumes)', line: null });
  }
  const runs = list.filter((e) => tmpfsPath(e) === '/run');
  let entries = list;
  if (!runVolume && facts.needs.run === 'exec' && runs.length > 0) {
    const fixed = runEntryWithExec(runs);
    const first = list.findIndex((e) => tmpfsPath(e) === '/run');
    entries = list.flatMap((e, i) => (tmpfsPath(e) !== '/run' ? [e] : i === first ? [fixed] : []));
  } else if (!runVolume && facts.needs.run !== 'none' && runs.length === 0) {
    entries = [...list, facts.needs.run === 'exec' ? '/run:exec' : '/run'];
  }
  const mounted = new Set(mountedPaths({ tmpfs: entries, volumePaths: service.volumePaths }));
  entries = [...entries, ...facts.needs.tmpfs.filter((need) => !mounted.has(mountPath(need.path))).map(tmpfsNeedEntry)];
  const now = service.tmpfs.map((t) => t.entry);
  const tmpfs = sameList(now, entries) ? null : { entries, override: earlier.length > 0 };
  if (tmpfs) change(tmpfs.override ? 'tmpfs-overridden' : 'tmpfs-added', `tmpfs ${tmpfs.override ? '!override ' : ''}[${entries.join(', ')}] in the layer`);

  // Variables a compose file sets are stripped in the layer; those that only an env file gives stay, with a warning.
  const stripped: string[] = [];
  for (const [name, source] of service.environment) {
    if (!strip.has(name)) continue;
    if (source.envFiles.length) {
      const where = source.envFiles.map((e) => `${options.display(e.path)} (line ${e.line})`).join(', ');
      warnings.push({ code: 'env-file', message: `${name} comes from env_file ${where}; a layer does not edit env files (Compose reads them after merging the files, and they hold secrets kept out of layers): left as it is${source.files.length ? ', and set in the compose files too' : ''}`, line: null });
    } else if (source.files.length) {
      stripped.push(name);
    }
  }
  let environment: ServiceLayer['environment'] = null;
  if (stripped.length) {
    if (before?.envResettable) {
      environment = { resets: stripped };
      change('env-removed', `${stripped.join(', ')}: !reset null in the layer`);
    } else {
      // Everything the compose files set but the stripped variables (one an env file also sets keeps the compose file's value).
      const kept = [...raw().get(service.name)!.environment].filter(([name, source]) => source.files.length > 0 && !stripped.includes(name));
      environment = { override: kept.map(([name, source]) => [name, source.value]) };
      change('env-overridden', `environment: !override in the layer without ${stripped.join(', ')} (Compose ignores !reset over a list, or over the environments of two files)`);
    }
  }
  return {
    name: service.name,
    readOnly,
    tmpfs,
    environment,
    report: { name: service.name, line: 1, column: 1, readOnly: true, changes, warnings },
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry === b[i]);
}

/** How Compose loads the layer, for the output and the layer's header. */
function loadedBy(base: ProjectFiles, options: LayerOptions): string {
  const layer = options.display(options.path);
  if (options.loading === 'override') return `Compose loads ${layer} by default after ${base.files.map((f) => options.display(f.path)).join(', ')} (no flag needed)`;
  const chain = [...base.files.map((f) => f.path), options.path].map(options.display);
  return `load it last: docker compose ${chain.map((f) => `-f ${f}`).join(' ')} …, or COMPOSE_FILE=${chain.join(':')}`;
}

/** A new layer: a header saying what made it and how it is loaded, then every service that needs something. */
function newLayer(base: ProjectFiles, plans: readonly ServiceLayer[], options: LayerOptions): string {
  const lines = [
    `# Read-only hardening layer written by ro-convert over ${base.files.map((f) => options.display(f.path)).join(', ')}.`,
    `# ${capitalised(loadedBy(base, options))}.`,
    '# Needs Docker Compose v2.24 or later (!reset and !override tags).',
    `# After an upstream update of those files, run ro-convert --check --layer ${options.display(options.path)} again.`,
    'services:',
  ];
  for (const plan of plans) {
    const entries = layerEntries(plan, false);
    if (entries.length) lines.push(`  ${key(plan.name)}:`, ...entries.flatMap((entry) => blockLines(entry, 4)));
  }
  if (lines[lines.length - 1] === 'services:') lines[lines.length - 1] = 'services: {}';
  return `${lines.join('\n')}\n`;
}

const capitalised = (text: string) => text[0]!.toUpperCase() + text.slice(1);
const key = (name: string) => scalarText(name, undefined, false);
const value = (text: string | null, inFlow: boolean) => (text === null ? 'null' : scalarText(text, undefined, inFlow));

/** The entries the layer writes for a service, as new map entries (flow values for a flow map). */
function layerEntries(plan: ServiceLayer, flow: boolean): NewEntry[] {
  const out: NewEntry[] = [];
  if (plan.readOnly) out.push({ key: 'read_only', value: 'true' });
  if (plan.tmpfs) {
    const tag = plan.tmpfs.override ? '!override' : null;
    const items = plan.tmpfs.entries.map((e) => value(e, flow));
    out.push(flow ? { key: 'tmpfs', value: `${tag ? `${tag} ` : ''}[${items.join(', ')}]` } : { key: 'tmpfs', value: tag, items });
  }
  if (plan.environment) {
    const pairs = envPairs(plan.environment, flow);
    const tag = 'override' in plan.environment ? '!override' : null;
    out.push(flow || pairs.length === 0 ? { key: 'environment', value: `${tag ? `${tag} ` : ''}{${pairs.join(', ')}}` } : { key: 'environment', value: tag, pairs });
  }
  return out;
}

function envPairs(environment: NonNullable<ServiceLayer['environment']>, flow: boolean): string[] {
  return 'resets' in environment ? environment.resets.map((name) => `${key(name)}: !reset null`) : environment.override.map(([name, v]) => `${key(name)}: ${value(v, flow)}`);
}

function blockLines(entry: NewEntry, indent: number): string[] {
  const pad = ' '.repeat(indent);
  return [
    `${pad}${entry.key}:${entry.value === null ? '' : ` ${entry.value}`}`,
    ...(entry.items ?? []).map((item) => `${pad}  - ${item}`),
    ...(entry.pairs ?? []).map((pair) => `${pad}  ${pair}`),
  ];
}

/**
 * The layer that exists, edited surgically: a service it lacks is added under `services`; in a
 * service it has, `read_only` set, `tmpfs` replaced by the whole list, stripped variables reset
 * (or the environment replaced); everything else stays byte for byte.
 */
function editedLayer(input: string, plans: readonly ServiceLayer[], options: LayerOptions): string {
  let parsed: ParsedCompose;
  try {
    parsed = parseCompose(input);
  } catch (error) {
    if (error instanceof ConvertError) throw new ConvertError(error.code, `the layer ${options.display(options.path)}: ${error.message}`, error.line, error.column);
    throw error;
  }
  const { layout, services } = parsed;
  const style = { sequenceIndent: 2, mappingIndent: 2 };
  const edits: TextEdit[] = [];
  const added: string[] = [];
  for (const plan of plans) {
    const pair = services.items.find((p) => keyName(p) === plan.name);
    const map = pair?.value;
    if (!pair || !isMap(map) || map.items.length === 0) {
      const entries = layerEntries(plan, false);
      if (!entries.length) continue;
      if (pair) throw new ConvertError('no-placement', `the layer ${options.display(options.path)}: service ${plan.name} is not a mapping with keys; edit it by hand`);
      added.push(`${key(plan.name)}:`, ...entries.flatMap((entry) => blockLines(entry, style.mappingIndent)));
      continue;
    }
    const wanted = layerEntries(plan, map.flow === true);
    const missing: NewEntry[] = [];
    for (const entry of wanted) {
      const own = map.items.find((p) => keyName(p) === entry.key);
      if (!own) missing.push(entry);
      else if (entry.key === 'environment' && plan.environment && 'resets' in plan.environment && isPlainMap(own)) edits.push(...resetEdits(own.value as YAMLMap, plan.environment.resets, layout, style));
      else edits.push(replaceValue(own, layerEntries(plan, true).find((e) => e.key === entry.key)!.value!, input));
    }
    if (missing.length) edits.push(addMapEntries(layout, map, missing, style));
  }
  if (added.length) {
    if (services.flow) throw new ConvertError('no-placement', `the layer ${options.display(options.path)}: services is a flow mapping; write it in block style to add services`);
    if (services.items.length === 0) throw new ConvertError('no-placement', `the layer ${options.display(options.path)}: services is empty; remove the file to have a new layer written`);
    const column = layout.column((services.items[0]!.key as Node).range![0]);
    const lines = added.map((line) => ' '.repeat(column) + line);
    const point = contentEnd(services, input);
    const at = layout.nextLineStart(point);
    const text = at === input.length && !input.endsWith('\n') ? lines.map((l) => layout.eol + l).join('') : lines.map((l) => l + layout.eol).join('');
    edits.push({ start: at, end: at, text, target: services });
  }
  return applyEdits(input, edits);
}

/** A key whose value is an untagged mapping (the only environment a layer adds resets to). */
function isPlainMap(pair: Pair): boolean {
  return isMap(pair.value) && !(pair.value as YAMLMap).tag;
}

/** `KEY: !reset null` for each stripped variable: an entry the map has gets the reset as its value, others are added. */
function resetEdits(env: YAMLMap, names: readonly string[], layout: ParsedCompose['layout'], style: { sequenceIndent: number; mappingIndent: number }): TextEdit[] {
  const edits: TextEdit[] = [];
  const missing: NewEntry[] = [];
  for (const name of names) {
    const own = env.items.find((p) => isPair(p) && keyName(p) === name);
    if (!own) missing.push({ key: key(name), value: '!reset null' });
    else if (!(isScalar(own.value) && own.value.tag === '!reset')) edits.push(replaceValue(own, '!reset null', layout.text));
  }
  if (missing.length) edits.push(addMapEntries(layout, env, missing, style));
  return edits;
}

/** Replaces a pair's value, its tag and anchor included, from the end of its key. */
function replaceValue(pair: Pair, value: string, text: string): TextEdit {
  const start = (pair.key as Node).range![1];
  const node = pair.value as Node | null;
  const end = node?.range && node.range[1] > node.range[0] ? contentEnd(node, text) : text.indexOf(':', start) + 1;
  return { start, end, text: `: ${value}`, target: pair.key as Node };
}
