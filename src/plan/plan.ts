import { isScalar, isSeq } from 'yaml';
import { ConvertError } from '../parse/errors.js';
import type { Alias, Document, Node, YAMLMap } from 'yaml';
import { transforms } from '../../transforms/index.js';
import type { ServiceReport } from './diagnostics.js';
import type { TextEdit } from './edits.js';
import { locateServices } from '../model/locate.js';
import { mountPath } from '../model/effective-service.js';
import type { LocatedService } from '../model/locate.js';
import type { ComposeFileReader } from '../model/extends-files.js';
import type { ParsedCompose } from '../parse/parse.js';
import { isSelected, stripPolicy } from '../model/select.js';
import type { EnvAdjustments, Selection, StripPolicy } from '../model/select.js';
import { analyzeSharing, serviceReader } from '../model/sharing.js';
import type { Way } from '../model/sharing.js';
import { overrideReadOnly, overrideService } from '../model/override.js';
import type { RelatedFiles, ServiceContext } from './transform.js';
import type { MountNeeds, TmpfsNeed } from '../knowledge/needs.js';
import { copyInPlaceOfAlias, dashOf } from './yaml-edit.js';
import { isMergeKey, mergeSources, resolveNode } from '../parse/yaml-nodes.js';
import type { BlockStyle } from './yaml-edit.js';

/** The transforms a plan without warnings runs (the registry's order kept). */
const CHANGE_TRANSFORMS = transforms.filter((t) => t.kind === 'change');

/** Which services a plan converts, how it adjusts the variables, and the files beside it. */
export interface PlanOptions extends Selection, EnvAdjustments {
  /** Files beside the compose file (env files, override, extended files), read by the caller. */
  related?: RelatedFiles;
  /**
   * The variables Compose interpolates the file with (the shell's environment over the project's
   * `.env`), for reading mount paths; absent: every variable is unset (model/interpolation.ts).
   */
  variables?: Readonly<Record<string, string>>;
  /** Further tmpfs entries per service name (e.g. what preflight saw a container write). */
  extraTmpfs?: Readonly<Record<string, readonly TmpfsNeed[]>>;
  /** The files are deployed with `docker stack deploy` (warns what swarm cannot mount). */
  swarm?: boolean;
  /**
   * Per service name, the part of its conversion this file holds, when a project spreads the
   * service over several files (src/project). Absent for a service: the whole conversion here.
   */
  roles?: Readonly<Record<string, ServiceRole>>;
  /**
   * Report warnings (default true). False for a caller that shows none (`--quiet`): the
   * warning-only transforms are not run and the reports carry no warnings; edits are the same.
   */
  warnings?: boolean;
}

/**
 * What one file of a project does for a service that Compose merges from several files: the
 * project decides it from the merged view (where Compose reads each key).
 */
export interface ServiceRole {
  /** This file holds the `read_only` Compose takes (or the image, when none sets it). */
  readOnly: boolean;
  /** The mounts this file adds (the project's remaining needs, or none). */
  needs: MountNeeds;
  /** The merged service's image is a LinuxServer image (its strip policy), wherever `image` is written. */
  lsio: boolean;
  /** This file warns about the service (the one that holds its image); the others only edit. */
  warns: boolean;
}

/** One service's planned conversion, before the edits are applied. */
export interface PlannedService {
  service: LocatedService;
  strip: StripPolicy;
  needs: MountNeeds;
  /** Whether this file must make the service read-only (false: another file of its project does). */
  readOnly: boolean;
  /** Whether this file's warnings about the service are reported (false: another file of its project gives them). */
  warns: boolean;
  report: ServiceReport;
}

/** The edits for a whole file and the per-service reports. */
export interface Plan {
  /** The parsed input the plan was made from. */
  parsed: ParsedCompose;
  /** The reader of the files `extends: {file}` names, for the verifier to read them as the planner did. */
  extendsFiles: ComposeFileReader | undefined;
  edits: TextEdit[];
  services: LocatedService[];
  selected: PlannedService[];
}

/**
 * Runs every transform on every selected service and keeps the edits that are safe: an edit
 * to a node that other services read (anchors, aliases, merge keys) is kept when each of
 * those services is selected and plans the very same edit, or when the service writes the node
 * itself and every other reader gets a copy of it in place of its alias; otherwise the file is
 * refused, naming the line and why.
 */
export function planConversion(parsed: ParsedCompose, options: PlanOptions): Plan {
  const related = options.related;
  const extendsFiles = related?.extendsFiles;
  const services = locateServices(parsed, extendsFiles);
  const chosen = services.filter((s) => isSelected(s, options));
  const sharing = chosen.length ? analyzeSharing(parsed, services) : null;
  const profileOf = new Map<string, string>();
  // One policy for LinuxServer images and one for the others, shared by the services of each kind.
  const policies = { lsio: stripPolicy(true, options), other: stripPolicy(false, options) };
  const selected: PlannedService[] = chosen.map((service) => {
    const role = options.roles?.[service.name];
    const strip = (role ? role.lsio : service.imageRef?.lsioName) ? policies.lsio : policies.other;
    const needs = withExtraTmpfs(role ? role.needs : service.needs, options.extraTmpfs?.[service.name]);
    // Services share an edit only when it gives each the same target: same needs, same strip
    // rules, the same tmpfs paths already mounted by volumes (a /run volume must not gain a tmpfs),
    // and the same extended bases (whose entries Compose adds to what the edit gives). Without
    // sharing (no alias in the file) no edit is shared, and nothing compares profiles.
    if (sharing) {
      const wanted = new Set(['/run', ...needs.tmpfs.map((need) => mountPath(need.path))]);
      const volumePaths = service.view.volumeMounts.map((v) => mountPath(v.path)).filter((path) => wanted.has(path)).sort();
      profileOf.set(serviceReader(service.name), `${strip.id}|${JSON.stringify(needs)}|${volumePaths.join(',')}|${extendsChain(service).join(',')}`);
    }
    const { line, column } = parsed.layout.position(service.key.range![0]);
    return { service, strip, needs, readOnly: role?.readOnly ?? true, warns: role?.warns ?? true, report: { name: service.name, line, column, readOnly: false, changes: [], warnings: [] } };
  });
  const indents = new Map<LocatedService, Indents>();
  const indentsOf = (service: LocatedService) => indents.get(service) ?? indents.set(service, readIndents(parsed, service)).get(service)!;
  const fileStyle = detectFileStyle(services, indentsOf);
  // Built when a transform first asks about another service (extends, swarm keys): most never do.
  let siblings: Map<string, NonNullable<ReturnType<ServiceContext['sibling']>>> | undefined;
  const siblingsOf = () => {
    const all = new Map(services.map((service) => [service.name, { service, selected: false, needs: service.needs, strip: null as StripPolicy | null, canEdit: (_node: Node): boolean => false }]));
    for (const planned of selected) all.set(planned.service.name, { service: planned.service, selected: true, needs: planned.needs, strip: planned.strip, canEdit: (node: Node) => canEditFor(planned, node) });
    return all;
  };
  const lineOf = (offset: number) => parsed.layout.position(offset).line;
  const differing = (planned: PlannedService, node: Node) => {
    const profile = profileOf.get(serviceReader(planned.service.name));
    return sharing ? sharing.readersOf(node).filter((reader) => profileOf.get(reader) !== profile) : [];
  };
  // The copy that stands in, for a reader, for the alias through which it reads a node; null
  // when it reads the node some other way (its own text, several aliases deep) or none reads the same.
  const copies = new Map<Alias, TextEdit | null>();
  const copyFor = (node: Node, reader: string): TextEdit | null => {
    const way = sharing!.wayTo(node, reader);
    if (way === null || typeof way === 'string' || !reader.startsWith('service:')) return null;
    if (!copies.has(way.alias)) {
      const service = services.find((s) => serviceReader(s.name) === reader)!;
      copies.set(way.alias, copyInPlaceOfAlias(parsed.layout, way.alias, resolveNode(way.alias, parsed.doc)!, way.owner, way.pair, styleOf(indentsOf(service), fileStyle)));
    }
    return copies.get(way.alias)!;
  };
  // An edit to a node is safe when every service that reads it is selected with the same
  // strip policy and needs: each of them gets its own target from that edit. It is safe too
  // where the node is written in the service's own mapping and each other reader reaches it
  // through one alias a copy can replace: that reader then keeps what it reads (see
  // docs/conversion.md, "Anchors, aliases and merge keys").
  const canEditFor = (planned: PlannedService, node: Node) => {
    const others = differing(planned, node);
    return others.length === 0 || (sharing!.wayTo(node, serviceReader(planned.service.name)) === 'own' && others.every((reader) => copyFor(node, reader) !== null));
  };
  const warn = options.warnings !== false;
  const ran = warn ? transforms : CHANGE_TRANSFORMS;
  const results = selected.map((planned) => {
    const ctx: ServiceContext = {
      service: planned.service,
      doc: parsed.doc,
      layout: parsed.layout,
      style: styleOf(indentsOf(planned.service), fileStyle),
      strip: planned.strip,
      needs: planned.needs,
      canEdit: (node) => canEditFor(planned, node),
      lineOf,
      sibling: (name) => (siblings ??= siblingsOf()).get(name),
      receivesThroughMerge: (key) => giverThroughMerge(parsed, planned, selected, key, (node) => canEditFor(planned, node)),
      related: options.related,
      swarm: options.swarm,
    };
    const run = ran.filter((t) => (planned.readOnly || t.name !== 'read-only') && (planned.warns || t.kind === 'change'));
    return run.map((t) => ({ name: t.name, result: t.run(ctx) }));
  });
  const edits: TextEdit[] = [];
  // The copies replacing aliases of nodes edited for others, with who made them needed.
  const detached = new Map<TextEdit, { by: PlannedService; reader: string; line: number }>();
  // Looked up only when a service is selected: a file converting nothing needs no override read.
  const override = selected.length ? (related?.override() ?? null) : null;
  selected.forEach((planned, i) => {
    const { report } = planned;
    for (const { name, result } of results[i]!) {
      if (warn) report.warnings.push(...result.warnings);
      const blocked = sharing && result.edits.find((e) => !canEditFor(planned, e.target));
      if (blocked) refuseShared(planned, name, blocked.target, differing(planned, blocked.target), profileOf, lineOf, (reader) => sharing.wayTo(blocked.target, reader));
      for (const edit of result.edits) for (const reader of differing(planned, edit.target)) detached.set(copyFor(edit.target, reader)!, { by: planned, reader, line: lineOf(edit.target.range![0]) });
      edits.push(...result.edits);
      report.changes.push(...result.changes);
    }
    // Compose takes `read_only` from the override file merged over this one when it sets it.
    const overridden = override && overrideService(override, planned.service.name);
    const undone = overridden ? overrideReadOnly(overridden) !== null : false;
    report.readOnly = !undone && (isTrue(planned.service.view.readOnly?.value) || report.changes.some((c) => c.code.startsWith('read-only')));
  });
  addCopies(detached, edits, lineOf);
  refuseChangedExtendsBases(selected, services, lineOf);
  return { parsed, extendsFiles, edits, services, selected };
}

/**
 * Refuses an edit to a node other services read and need something else from, saying why no
 * copy could stand in: the service reads it through an alias itself (it gets its own copy where
 * its transform can give one), or another reader reaches it some way a copy cannot replace.
 */
function refuseShared(planned: PlannedService, transform: string, target: Node, others: readonly string[], profileOf: ReadonlyMap<string, string>, lineOf: (offset: number) => number, wayTo: (reader: string) => Way | null): never {
  const own = wayTo(serviceReader(planned.service.name)) === 'own';
  // Readers that are selected too differ in what they need (image, variables kept, mounts).
  const unselected = others.filter((reader) => !profileOf.has(reader));
  const one = others.length === 1;
  const needs = unselected.length === others.length ? `which ${one ? 'is' : 'are'} not converted` : `which ${one ? 'needs' : 'need'} a different change there (another image, other variables kept, other mounts)`;
  const ways = others.map(wayTo);
  const how = ways.includes('many')
    ? 'through more than one alias or merge key'
    : ways.includes('own') || ways.includes(null)
      ? 'as written in its own mapping'
      : 'through an alias that no copy of the block can replace (an anchor inside the block, a scalar over several lines, or a block with comments or nested lists going into a flow collection)';
  const why = !own
    ? 'the service reads it through an alias and has no mapping of its own to write to; give it its own copy of the block'
    : `${one ? 'it reads' : 'they read'} it ${how}; give each service its own copy`;
  throw new ConvertError(
    'no-placement',
    `service ${planned.service.name}: ${transform}: the edit would land in a block shared (through an anchor or merge key) with ${others.map(describeReader).join(', ')}, ${needs}; ${why}; nothing was written`,
    lineOf(target.range![0]),
    1,
  );
}

/**
 * Adds the copies that replace aliases of nodes edited in place for other services, unless the
 * reader's own conversion replaced that alias already (with its own copy, changed for it), and
 * says so in the report of the service whose edit made each needed.
 */
function addCopies(detached: ReadonlyMap<TextEdit, { by: PlannedService; reader: string; line: number }>, edits: TextEdit[], lineOf: (offset: number) => number): void {
  for (const [copy, { by, reader, line }] of detached) {
    if (edits.some((edit) => edit.start < copy.end && copy.start < edit.end)) continue;
    edits.push(copy);
    by.report.changes.push({ code: 'shared-copied', message: `${describeReader(reader)} read this block through an alias (line ${lineOf(copy.start)}): it now has its own copy, as it was, since the block changed here (line ${line})`, line: lineOf(copy.start) });
  }
}

/**
 * A selected service whose own mapping `planned` merges, that lacks `key` as `planned` does (so
 * its conversion adds the key to that mapping) and whose edits there reach `planned` with the
 * same target. Keys the service sets itself, even `!reset`, and inherited ones rule it out.
 */
function giverThroughMerge(parsed: ParsedCompose, planned: PlannedService, selected: readonly PlannedService[], key: string, canEdit: (node: Node) => boolean): string | null {
  const { map, view } = planned.service;
  // Most services merge nothing: that is found before any key is looked up.
  const sources = mergedMaps(map, parsed.doc);
  if (sources.length === 0 || view.fields.has(key) || view.mapFields.has(key)) return null;
  for (const source of sources) {
    const giver = selected.find((s) => s !== planned && s.service.map === source);
    if (giver && !giver.service.view.fields.has(key) && canEdit(source)) return giver.service.name;
  }
  return null;
}

/** Every map merged into `map` through merge keys, at any depth. */
function mergedMaps(map: YAMLMap, doc: Document): YAMLMap[] {
  const found: YAMLMap[] = [];
  const visit = (m: YAMLMap) => {
    for (const pair of m.items) {
      if (!isMergeKey(pair)) continue;
      for (const source of mergeSources(pair, doc)) {
        if (found.includes(source) || source === map) continue;
        found.push(source);
        visit(source);
      }
    }
  };
  visit(map);
  return found;
}

/** The image's needs plus the entries asked for on top, each path once (the image's first). */
function withExtraTmpfs(needs: MountNeeds, extra: readonly TmpfsNeed[] | undefined): MountNeeds {
  if (!extra?.length) return needs;
  const tmpfs = [...needs.tmpfs];
  for (const need of extra) if (!tmpfs.some((t) => t.path === need.path)) tmpfs.push(need);
  return { ...needs, tmpfs };
}

/**
 * Compose gives a same-file `extends` child everything its base gets: a base the conversion
 * changes must not be extended by a service that stays as it is.
 */
function refuseChangedExtendsBases(selected: readonly PlannedService[], services: readonly LocatedService[], lineOf: (offset: number) => number): void {
  // Every service that extends a base, directly or through the chain, by base: one pass.
  const extenders = new Map<string, LocatedService[]>();
  for (const service of services) for (const base of extendsChain(service)) extenders.set(base, [...(extenders.get(base) ?? []), service]);
  if (extenders.size === 0) return;
  const plannedByName = new Map(selected.map((s) => [s.service.name, s]));
  for (const planned of selected) {
    if (planned.report.changes.length === 0) continue;
    const children = extenders.get(planned.service.name) ?? [];
    const child = children.find((s) => !plannedByName.has(s.name));
    if (child) {
      throw new ConvertError(
        'no-placement',
        `service ${planned.service.name}: service ${child.name} extends it and is not selected, so Compose would give ${child.name} the same changes; select ${child.name} too; nothing was written`,
        lineOf(child.key.range![0]),
        1,
      );
    }
    // A selected child keeps what its own policy keeps: a variable the base strips that the
    // child inherits and keeps (another image) would go from the child too.
    for (const other of children.map((s) => plannedByName.get(s.name)!)) {
      const kept = other.service.view.environment.filter((e) => e.field.service === planned.service.name && planned.strip.has(e.name) && !other.strip.has(e.name));
      if (kept.length === 0) continue;
      throw new ConvertError(
        'no-placement',
        `service ${planned.service.name}: service ${other.service.name} extends it and keeps ${kept.map((e) => e.name).join(', ')}, which stripping here would remove from it too; nothing was written`,
        lineOf(other.service.key.range![0]),
        1,
      );
    }
  }
}

/** The same-file services a service extends, nearest first. */
function extendsChain(service: LocatedService): string[] {
  const chain: string[] = [];
  for (let base = service.view.base; base; base = base.base) chain.push(base.name);
  return chain;
}

function isTrue(node: Node | null | undefined): boolean {
  return isScalar(node) && node.value === true;
}

function describeReader(reader: string): string {
  const [kind, name] = [reader.slice(0, reader.indexOf(':')), reader.slice(reader.indexOf(':') + 1)];
  return kind === 'service' ? `service ${name}` : `top-level ${name}`;
}

/** A service's own habit for collections under a key; null where it has no block collection to tell. */
interface Indents {
  sequence: number | null;
  mapping: number | null;
}

function readIndents(parsed: ParsedCompose, service: LocatedService): Indents {
  return { sequence: sequenceIndentOf(parsed, service.map), mapping: mappingIndentOf(parsed, service) };
}

/** The file's own habit for collections under a key, from the first block collections in a service. */
function detectFileStyle(services: readonly LocatedService[], indentsOf: (service: LocatedService) => Indents): BlockStyle {
  let unit: number | null = null;
  for (const service of services) if ((unit = indentsOf(service).mapping) !== null) break;
  for (const service of services) {
    const sequenceIndent = indentsOf(service).sequence;
    if (sequenceIndent !== null) return { sequenceIndent, mappingIndent: unit ?? 2 };
  }
  return { sequenceIndent: unit ?? 2, mappingIndent: unit ?? 2 };
}

/** A service's own habit, where it has block collections; the file's otherwise. */
function styleOf(indents: Indents, fileStyle: BlockStyle): BlockStyle {
  return { sequenceIndent: indents.sequence ?? fileStyle.sequenceIndent, mappingIndent: indents.mapping ?? fileStyle.mappingIndent };
}

/** Spaces from a service's name to its keys (how far a block mapping sits under its key). */
function mappingIndentOf(parsed: ParsedCompose, service: LocatedService): number | null {
  if (service.map.flow || service.map.items.length === 0) return null;
  const unit = parsed.layout.column((service.map.items[0]!.key as Node).range![0]) - parsed.layout.column(service.key.range![0]);
  return unit > 0 ? unit : null;
}

function sequenceIndentOf(parsed: ParsedCompose, map: YAMLMap): number | null {
  if (map.flow) return null;
  for (const pair of map.items) {
    const value = pair.value;
    if (!isSeq(value) || value.flow || value.items.length === 0) continue;
    const keyColumn = parsed.layout.column((pair.key as Node).range![0]);
    const { dash } = dashOf(parsed.layout, value.items[0] as Node);
    const sequenceIndent = dash - keyColumn;
    if (sequenceIndent >= 0) return sequenceIndent;
  }
  return null;
}
