import { convert } from '../convert.js';
import type { ConvertOptions, ConvertResult } from '../convert.js';
import { ConvertError } from '../parse/errors.js';
import type { ServiceReport, Warning } from '../plan/diagnostics.js';
import type { ServiceRole } from '../plan/plan.js';
import type { RelatedFiles } from '../plan/transform.js';
import { imageFacts } from '../model/locate.js';
import type { ImageFacts } from '../model/locate.js';
import { normalizedName, parseImageRef } from '../knowledge/image-ref.js';
import { mountNeeds } from '../knowledge/needs.js';
import type { MountNeeds } from '../knowledge/needs.js';
import { isSelected, skippedAsUntested, stripPolicy } from '../model/select.js';
import type { StripPolicy } from '../model/select.js';
import { mountedPaths, unmetTargets } from '../model/targets.js';
import { mountPath } from '../model/effective-service.js';
import { tmpfsPath } from '../model/service-values.js';
import { unifiedDiff } from '../report/diff.js';
import { removeEnvLines } from './dotenv.js';
import { mergeProject, readCompose } from './merge.js';
import { isRecord } from '../model/plain-services.js';
import type { MergedProject, MergedService, ProjectFiles, ReadProjectFile } from './merge.js';
import { dirOf, isInside, resolveIn } from './paths.js';

/** How to convert a project: a conversion's options, and how its files are shown and guarded. */
export interface ProjectConvertOptions extends Omit<ConvertOptions, 'path' | 'related' | 'roles'> {
  /** The path a file is shown with (relative to where the command runs). */
  display(path: string): string;
  /**
   * The override file beside a compose file named alone (`-f FILE` does not merge it; its
   * `read_only` is still read and warned about, as for a single file).
   */
  override?(path: string): { path: string; text: string } | null | undefined;
  /** Files named on the command line: edits may land in them even outside the project directory. */
  named?: readonly string[];
  /** A path with its symlinks resolved (the caller's file system): a link out of the project is outside it. */
  realPath?(path: string): string;
}

/** One file of a converted project. */
export interface ProjectFileResult {
  /** Absolute path. */
  path: string;
  kind: 'compose' | 'env';
  input: string;
  output: string;
  changed: boolean;
  /** The selected services this file converts (compose files), with their changes and warnings. */
  services: ServiceReport[];
  /** The unified diff, with the displayed path. */
  diff: string;
  /** The compose file's conversion (null for an env file, or a file with nothing selected). */
  result: ConvertResult | null;
}

/** A project after conversion: every compose file (the first file named first), then each env file edited. */
export interface ProjectConversion {
  files: ProjectFileResult[];
  /** Every service of the project with the files that define it (`sonarr (media/compose.yml)`), for "unknown service" messages. */
  serviceNames: string[];
  /** Names of the project's services, as Compose knows them. */
  names: string[];
  /** LinuxServer services `--supported` left out as untested read-only. */
  skippedUntested: string[];
}

const NO_IMAGE: Pick<ImageFacts, 'imageRef' | 'knowledge' | 'needs'> = { imageRef: null, knowledge: undefined, needs: mountNeeds(null, undefined, undefined) };
const NO_MOUNTS: MountNeeds = { run: 'none', tmpfs: [], known: 'unknown', suggested: [] };

/**
 * Converts the services of a project where Compose reads each key (docs/adr/0008): `read_only`
 * in the last file that sets it (else where the image is), the mounts once (in the file that
 * writes the service's `/run`, else its last `tmpfs`, else its image), each stripped variable
 * in every file whose `environment` sets it, and in an env file only converted services read
 * (never a `.env`); otherwise a warning names the file, the line and the other service. Every
 * compose file is edited by `convert`, surgically; then the project is merged again and checked:
 * each selected service meets its targets, other services are unchanged.
 * @throws ConvertError when no edit reaches the targets, an edit would land outside the project
 *   directory, or the merged view after the edits fails a check
 */
export function convertProject(project: ProjectFiles, read: ReadProjectFile, options: ProjectConvertOptions): ProjectConversion {
  const merged = mergeProject(project, read);
  const composeFiles = composeFilesOf(project);
  const facts = new Map([...merged.values()].map((service) => [service.name, service.image ? imageFacts(service.image) : NO_IMAGE]));
  const policy = (service: MergedService) => stripPolicy(Boolean(facts.get(service.name)!.imageRef?.lsioName), options);
  // Services behind a profile are services of the project too (Compose starts them with the profile).
  const selected = [...merged.values()].filter((service) => isSelected({ name: service.name, ...facts.get(service.name)! }, options));
  const single = composeFiles.length === 1;
  // One file converts as the file alone does, unless an image is only known by interpolation
  // (`${REG}/sonarr`, REG in `.env`): then the project's view of it decides, as for several files.
  const byFile = single && !selected.some((service) => imageByVariable(composeFiles[0]!.text, service.name));
  const twice = selected.find((service) => service.alike.length);
  // An edit to one definition would make them differ, which Compose refuses.
  if (twice) throw new ConvertError('bad-project', `service ${twice.name} is defined alike in ${[...twice.files, ...twice.alike].map(options.display).join(' and ')}: Compose takes them as one, but converting edits one definition; keep it in one file`);

  // Per compose file, the services it converts and their roles.
  const work = new Map<string, { names: string[]; roles: Record<string, ServiceRole> }>();
  for (const service of selected) {
    const strip = policy(service);
    const roles = byFile ? null : rolesOf(service, facts.get(service.name)!, strip);
    for (const file of service.files) {
      const role = roles?.get(file);
      if (roles && !role) continue;
      const entry = work.get(file) ?? work.set(file, { names: [], roles: {} }).get(file)!;
      entry.names.push(service.name);
      if (role) entry.roles[service.name] = role;
    }
  }

  // The file alone cannot know an image written with a variable; the project's interpolation can.
  const resolvedByProject = (warning: Warning, name: string) => warning.code === 'image-variable' && !byFile && Boolean(facts.get(name)?.imageRef);
  const envWarnings = new Map<string, Warning[]>();
  const envEdits = envFileEdits(project, merged, selected, policy, options, envWarnings);
  const files: ProjectFileResult[] = composeFiles.map(({ path, text }) => {
    const entry = work.get(path);
    if (!entry) return { path, kind: 'compose', input: text, output: text, changed: false, services: [], diff: '', result: null };
    const result = inFile(path, () => convert(text, {
      ...options,
      services: entry.names,
      all: false,
      images: [],
      supported: false,
      path: options.display(path),
      variables: project.environment,
      roles: byFile ? undefined : entry.roles,
      related: relatedOf(path, read, single ? options.override : undefined),
    }));
    // A file that leaves read_only to another file of the project reports what the merged view (checked below) gives.
    const services = result.services.map((report) => ({ ...report, readOnly: report.readOnly || entry.roles[report.name]?.readOnly === false, warnings: [...report.warnings.filter((w) => !resolvedByProject(w, report.name)), ...(envWarnings.get(report.name) ?? [])] }));
    for (const report of services) envWarnings.delete(report.name);
    return { path, kind: 'compose', input: text, output: result.changed ? result.output : text, changed: result.changed, services, diff: result.changed ? result.diff : '', result };
  });
  // Warnings about env files for services no compose file converted here go with the first file.
  const leftover = [...envWarnings.values()].flat();
  if (leftover.length && files[0]) files[0].services.push(...selected.filter((s) => envWarnings.has(s.name)).map((s) => serviceReport(s, envWarnings.get(s.name)!)));
  for (const [path, names] of envEdits) {
    const input = read(path)!;
    const output = removeEnvLines(input, names);
    if (output === input) continue;
    // Each converted service that reads the file, with the lines removed for it (for the reports' locations).
    const services = selected
      .filter((service) => service.envFiles.some((e) => e.path === path))
      .map((service): ServiceReport => {
        const removed = [...service.environment].flatMap(([name, source]) => (names.has(name) ? source.envFiles.filter((e) => e.path === path).map((e) => ({ name, line: e.line })) : []));
        return { ...serviceReport(service, []), readOnly: true, line: removed[0]?.line ?? 1, changes: removed.map(({ name, line }) => ({ code: 'env-removed', message: `removed ${name} (env_file read by ${service.name} only among the services)`, line })) };
      })
      .filter((report) => report.changes.length);
    files.push({ path, kind: 'env', input, output, changed: true, services, diff: unifiedDiff(options.display(path), input, output, [{ start: 0, end: input.length, text: output }]), result: null });
  }
  refuseWritesOutside(project, files, options);
  if (!byFile || envEdits.size) verifyProject(project, read, merged, files, new Map(selected.map((s) => [s.name, policy(s)])), facts);
  return {
    files,
    serviceNames: [...merged.values()].map((service) => `${service.name} (${service.files.map(options.display).join(', ')})`),
    names: [...merged.keys()],
    skippedUntested: [...merged.values()].filter((service) => skippedAsUntested({ name: service.name, ...facts.get(service.name)! }, options)).map((s) => s.name),
  };
}

/**
 * Whether a service's image is named by a variable in a compose text (`${REG}/sonarr`). A variable
 * only in the tag (`nginx:${TAG}`) names no other image: the file alone knows it, also where the
 * variable is not set here.
 */
function imageByVariable(text: string, name: string): boolean {
  const services = readCompose(text)?.services;
  const service = isRecord(services) ? services[name] : undefined;
  return isRecord(service) && typeof service.image === 'string' && service.image.includes('$') && normalizedName(parseImageRef(service.image)) === null;
}

/** A refusal with the compose file of the project it is about (its line and column are in that file). */
export class ProjectFileError extends ConvertError {
  constructor(
    readonly file: string,
    error: ConvertError,
  ) {
    super(error.code, error.message, error.line, error.column);
  }
}

/** Runs one file's conversion, its refusal tagged with the file. */
function inFile<T>(path: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw error instanceof ConvertError && !(error instanceof ProjectFileError) ? new ProjectFileError(path, error) : error;
  }
}

/** A report for a selected service whose only news is about env files. */
function serviceReport(service: MergedService, warnings: Warning[]): ServiceReport {
  return { name: service.name, line: 1, column: 1, readOnly: service.readOnly === true, changes: [], warnings };
}

/**
 * Which file of the project does what for one service: `read_only` where Compose takes it
 * (else where the image is), the mounts still missing in the merged view in the file that
 * writes its `/run` (else its last `tmpfs`, else its image), the stripping in every file whose
 * `environment` sets a stripped variable. Files with nothing to do get no role.
 */
function rolesOf(service: MergedService, facts: Pick<ImageFacts, 'imageRef' | 'needs'>, strip: StripPolicy): Map<string, ServiceRole> {
  const lsio = Boolean(facts.imageRef?.lsioName);
  const imageFile = service.keyFiles.get('image') ?? service.files[0]!;
  const readOnlyFile = service.readOnly === true ? null : (service.readOnlyFile ?? imageFile);
  const state = { readOnly: service.readOnly, tmpfs: service.tmpfs.map((t) => t.entry), volumePaths: service.volumePaths };
  const runFile = service.tmpfs.find((t) => tmpfsPath(t.entry) === '/run')?.file;
  const mountsFile = unmetTargets(state, facts.needs, false).length ? (runFile ?? service.keyFiles.get('tmpfs') ?? imageFile) : null;
  // What the mounts file must add: the paths no other file mounts (its own it sees itself).
  const elsewhere = new Set(mountedPaths({ tmpfs: service.tmpfs.filter((t) => t.file !== mountsFile).map((t) => t.entry), volumePaths: service.volumePaths }));
  const needs: MountNeeds = {
    ...facts.needs,
    run: elsewhere.has('/run') ? 'none' : facts.needs.run,
    tmpfs: facts.needs.tmpfs.filter((need) => !elsewhere.has(mountPath(need.path))),
  };
  const roles = new Map<string, ServiceRole>();
  for (const file of service.files) {
    const strips = [...service.environment].some(([name, source]) => strip.has(name) && source.files.includes(file));
    if (file !== readOnlyFile && file !== mountsFile && !strips) continue;
    roles.set(file, { readOnly: file === readOnlyFile, needs: file === mountsFile ? needs : NO_MOUNTS, lsio, warns: file === imageFile });
  }
  return roles;
}

/**
 * The env files to edit (path → variables to remove): a stripped variable an env file gives a
 * selected service, where every service reading that file is converted and strips it too, the
 * file is not a `.env` (interpolation input) and lies inside the project directory (or was named).
 * Any other such line gets a warning, per service, naming the file, the line and why.
 */
function envFileEdits(project: ProjectFiles, merged: MergedProject, selected: readonly MergedService[], policy: (service: MergedService) => StripPolicy, options: ProjectConvertOptions, warnings: Map<string, Warning[]>): Map<string, Set<string>> {
  const edits = new Map<string, Set<string>>();
  const chosen = new Set(selected.map((s) => s.name));
  for (const service of selected) {
    const strip = policy(service);
    const kept = new Map<string, { line: number; names: string[]; why: string }>();
    for (const [name, source] of service.environment) {
      if (!strip.has(name)) continue;
      for (const { path, line } of source.envFiles) {
        const others = [...merged.values()].filter((o) => o.envFiles.some((e) => e.path === path) && (!chosen.has(o.name) || !policy(o).has(name)));
        const why = path.endsWith('/.env')
          ? 'the .env file, which Compose also reads for interpolation, is never edited'
          : others.length
            ? `service${others.length > 1 ? 's' : ''} ${others.map((o) => o.name).join(', ')} also read${others.length > 1 ? '' : 's'} it and ${others.length > 1 ? 'are' : 'is'} not converted`
            : !isInside((options.realPath ?? String)(project.directory), (options.realPath ?? String)(path)) && !options.named?.includes(path)
              ? 'it lies outside the project directory'
              : null;
        if (why === null) {
          (edits.get(path) ?? edits.set(path, new Set()).get(path)!).add(name);
          continue;
        }
        const entry = kept.get(path) ?? kept.set(path, { line, names: [], why }).get(path)!;
        entry.names.push(`${name} (line ${line})`);
      }
    }
    for (const [path, { names, why }] of kept) {
      const list = warnings.get(service.name) ?? warnings.set(service.name, []).get(service.name)!;
      list.push({ code: 'env-file', message: `env_file ${options.display(path)} sets ${names.join(', ')}, which no longer appl${names.length > 1 ? 'y' : 'ies'}; left as it is: ${why}`, line: null });
    }
  }
  return edits;
}

/** Every compose file of the project, each once: each file of the chain, then what it includes. */
function composeFilesOf(project: ProjectFiles): { path: string; text: string }[] {
  const out = new Map<string, string>();
  const visit = (p: ProjectFiles) => {
    for (const file of p.files) {
      if (!out.has(file.path)) out.set(file.path, file.text);
      for (const included of file.includes) visit(included);
    }
  };
  visit(project);
  return [...out].map(([path, text]) => ({ path, text }));
}

/** The related-files reader of one compose file of the project (env files are the project's). */
function relatedOf(path: string, read: ReadProjectFile, override: ProjectConvertOptions['override']): RelatedFiles {
  const beside = (file: string) => (file.includes('$') ? undefined : read(resolveIn(dirOf(path), file)));
  return { envFile: beside, extendsFiles: { read: beside, resolve: (from, file) => resolveIn(dirOf(resolveIn(dirOf(path), from)), file) }, override: () => override?.(path) ?? null, projectEnvFiles: true };
}

/** Edits stay in the project directory, unless the file was named on the command line. */
function refuseWritesOutside(project: ProjectFiles, files: readonly ProjectFileResult[], options: ProjectConvertOptions): void {
  const real = options.realPath ?? ((path: string) => path);
  const outside = files.find((f) => f.changed && !isInside(real(project.directory), real(f.path)) && !options.named?.includes(f.path));
  if (outside) {
    throw new ConvertError('no-placement', `the conversion would edit ${options.display(outside.path)}, outside the project directory ${options.display(project.directory)}; name it on the command line to allow that; nothing was written`);
  }
}

/**
 * The project merged again from the converted texts: every selected service meets its targets
 * (unless a `${VAR}` read_only leaves it to run time, with its warning), keeps every key the
 * conversion does not change and every variable it does not strip (same value), and every
 * other service is exactly as it was.
 */
export function verifyProject(project: ProjectFiles, read: ReadProjectFile, before: MergedProject, files: readonly ProjectFileResult[], chosen: ReadonlyMap<string, StripPolicy>, facts: ReadonlyMap<string, Pick<ImageFacts, 'needs'>>): void {
  const outputs = new Map(files.filter((f) => f.changed).map((f) => [f.path, f.output]));
  const after = mergeProject(withTexts(project, outputs), (path) => outputs.get(path) ?? read(path));
  const fail = (message: string) => {
    throw new ConvertError('no-placement', `${message} in Compose's merged view after the conversion; nothing was written`);
  };
  for (const [name, service] of before) {
    const converted = after.get(name);
    if (!converted) fail(`service ${name} is gone`);
    const [a, b] = [comparable(service.values, chosen.has(name)), comparable(converted!.values, chosen.has(name))];
    if (a !== b) fail(chosen.has(name) ? `service ${name}: a key other than read_only, tmpfs and environment changed` : `unselected service ${name} changed`);
    const strip = chosen.get(name);
    if (!strip) continue;
    const kept = (env: ReadonlyMap<string, { value: string | null }>) => JSON.stringify([...env].filter(([variable]) => !strip.has(variable)).map(([variable, { value }]) => [variable, value]).sort());
    if (kept(service.environment) !== kept(converted!.environment)) fail(`service ${name}: its environment changed beyond the stripped variables`);
    const variable = files.some((f) => f.services.some((s) => s.name === name && s.warnings.some((w) => w.code === 'read-only-variable')));
    const unmet = unmetTargets({ readOnly: converted!.readOnly, tmpfs: converted!.tmpfs.map((t) => t.entry), volumePaths: converted!.volumePaths }, facts.get(name)!.needs, !variable);
    if (unmet.length) fail(`service ${name}: ${unmet.join('; ')}`);
  }
}

/** A service's values as compared before and after: a selected service without the keys the conversion changes. */
function comparable(values: Record<string, unknown>, selected: boolean): string {
  if (!selected) return JSON.stringify(values);
  const { read_only: _r, tmpfs: _t, environment: _e, ...rest } = values;
  return JSON.stringify(rest);
}

/** The project with some compose files' texts replaced. */
function withTexts(project: ProjectFiles, texts: ReadonlyMap<string, string>): ProjectFiles {
  return {
    ...project,
    files: project.files.map((file) => ({ ...file, text: texts.get(file.path) ?? file.text, includes: file.includes.map((p) => withTexts(p, texts)) })),
  };
}
