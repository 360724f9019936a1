// `ro-convert preflight`: asks the containers of the selected services what they wrote (docker
// diff, inspect, the image config), proposes the mounts a read-only root needs, and applies the
// tmpfs part with the conversion through convert() and the usual preview/--write path.
// `--after` checks the containers once they run read-only.
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parse } from 'yaml';
import { convert } from '../convert.js';
import type { ConvertOptions } from '../convert.js';
import { DockerEngine, EngineError, MAX_TIMEOUT_MS, parseTimeout } from '../docker/engine.js';
import type { ContainerInfo } from '../docker/engine.js';
import { expandPaths, installSignalCleanup, readText } from '../io/files.js';
import { processFile } from '../io/process-file.js';
import type { TmpfsNeed } from '../knowledge/needs.js';
import { isEmptySelection } from '../model/select.js';
import { tmpfsPath } from '../model/service-values.js';
import { asConvertError } from '../parse/errors.js';
import type { AfterFinding } from '../preflight/after.js';
import { findContainers, gatherAfter, gatherFindings, LABEL } from '../preflight/gather.js';
import type { ServiceFindings } from '../preflight/gather.js';
import { colorDiff } from '../report/diff.js';
import { escapeControl, escapeJsonControl, escapeLines } from '../report/escape.js';
import { errorEntry, formatError } from '../report/report.js';
import { EXIT } from './run.js';
import { PREFLIGHT_SUMMARY } from './commands.js';

/** Where preflight prints. */
export interface PreflightIO {
  out(text: string): void;
  err(text: string): void;
  /** Colour the diff. */
  color: boolean;
}

interface PreflightFlags {
  service?: string[];
  all?: boolean;
  image?: string[];
  supported?: boolean;
  container?: string[];
  project?: string;
  after?: boolean;
  write?: boolean;
  followSymlinks?: boolean;
  json?: boolean;
  quiet?: boolean;
  dockerCmd: string;
  timeout: string;
}

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

function program(): Command {
  return new Command('ro-convert preflight')
    .description('Ask the containers of the selected services what they wrote (docker diff), and propose the tmpfs mounts and volumes a read-only root needs. Changes nothing in the engine.')
    .summary(PREFLIGHT_SUMMARY)
    .argument('[paths...]', 'compose files or directories the containers were created from')
    .option('-s, --service <name>', 'look at this service (repeatable, or a comma list)', list)
    .option('-a, --all', 'look at every service')
    .option('--image <glob>', 'look at services whose image matches (repeatable)', list)
    .option('--supported', 'look at every LinuxServer image that declares read-only support')
    .option('--container <name>', 'read this container instead of finding them by the compose labels (repeatable)', list)
    .option('-p, --project <name>', "the compose project name (default: containers whose labels name this file)")
    .option('--after', 'after the switch: report read-only containers that exited or restart, and writes refused with "Read-only file system"')
    .option('-w, --write', 'write the proposal (the tmpfs entries with the read-only conversion); default: preview the diff')
    .option('--follow-symlinks', 'write through a symlink whose target lies outside the file\'s directory or the directory searched')
    .option('--json', 'print one JSON report on stdout, with a reason per path')
    .option('-q, --quiet', 'print errors only')
    .option('--docker-cmd <command>', 'the engine CLI to run (e.g. podman)', 'docker')
    .option('--timeout <seconds>', 'longest wait for one engine call', '30')
    .addHelpText(
      'after',
      `
Examples:
  ro-convert preflight --all compose.yml               propose tmpfs mounts and volumes (preview)
  ro-convert preflight --all --write compose.yml       write the tmpfs entries with the conversion
  ro-convert preflight --after --all compose.yml       after the switch: did a container fail?

Only writes that already happened are seen: exercise the app first (start, log in, upgrade,
install plugins, upload). A first start can write more than later ones (database init).

Exit codes: 0 ready (or --after: all healthy), 1 a service needs more than tmpfs entries, has no
containers, or (--after) a container failed, 2 usage error, engine unreachable, or a file failed.`,
    )
    .exitOverride();
}

/** Runs `ro-convert preflight ARGS...` and returns the exit code. */
export async function preflightMain(args: readonly string[], io: PreflightIO): Promise<number> {
  const cli = program();
  let flags: PreflightFlags;
  try {
    cli.parse(args, { from: 'user' });
    flags = cli.opts<PreflightFlags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failed;
    throw error;
  }
  const usage = (message: string) => {
    io.err(`ro-convert: error: ${message}\n(run ro-convert preflight --help for usage)\n`);
    return EXIT.failed;
  };
  const selection = { services: flags.service, all: flags.all, images: flags.image, supported: flags.supported };
  if (isEmptySelection(selection) && !flags.container?.length) return usage('choose the services: --service NAME, --all, --image GLOB, --supported, or --container NAME');
  if (cli.args.length === 0) return usage('name the compose file the containers were created from');
  if (cli.args.includes('-')) return usage('preflight reads files, not standard input');
  if (flags.after && flags.write) return usage('--after and --write cannot be combined');
  const timeoutMs = parseTimeout(flags.timeout);
  if (timeoutMs === null) return usage(`--timeout takes seconds in whole milliseconds, from 0.001 to ${MAX_TIMEOUT_MS / 1000}, not ${escapeControl(flags.timeout)}`);

  const engine = new DockerEngine({ command: flags.dockerCmd, timeoutMs });
  try {
    await engine.check();
    const search = expandPaths(cli.args);
    const paths = search.files;
    if (paths.length === 0) return usage(`no compose files found in ${cli.args.join(', ')}`);
    if (flags.write) installSignalCleanup(paths);
    const files: FileResult[] = [];
    for (const path of paths) files.push(await preflightFile(engine, path, search.outside.get(path), flags, selection, io));
    if (flags.json) io.out(`${escapeJsonControl(JSON.stringify({ files: files.map(jsonOf) }, null, 2))}\n`);
    return exitCode(files, flags);
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    io.err(`ro-convert: error: ${error.message}\n`);
    return EXIT.failed;
  }
}

/** One selected service's outcome. */
interface ServiceResult {
  name: string;
  containers: ContainerInfo[];
  findings: ServiceFindings | null;
  after: AfterFinding[] | null;
  /** Why the service is left out of the written conversion, or null when it is ready. */
  heldBack: string | null;
}

interface FileResult {
  path: string;
  error: string | null;
  services: ServiceResult[];
  diff: string | null;
  written: boolean;
}

async function preflightFile(engine: DockerEngine, path: string, outside: string | undefined, flags: PreflightFlags, selection: ConvertOptions, io: PreflightIO): Promise<FileResult> {
  const result: FileResult = { path, error: null, services: [], diff: null, written: false };
  const named = await namedContainers(engine, flags.container ?? []);
  let base;
  try {
    const text = readText(path);
    // Containers named alone select their services (by the compose label).
    const chosen = isEmptySelection(selection) ? { services: serviceNamesOf(named, convert(text, { services: [] }).serviceNames) } : selection;
    base = convert(text, { ...chosen, path });
  } catch (error) {
    const refused = asConvertError(error);
    result.error = refused.message;
    io.err(`${formatError({ path, status: 'error', written: false, error: errorEntry(refused), services: [], skippedUntested: [] })}\n`);
    return result;
  }
  const selected = base.services.map((s) => s.name);
  const converted = tmpfsOfServices(base.output);
  for (const name of selected) {
    const containers = named.length
      ? named.filter((c) => (c.Config.Labels?.[LABEL.service] ?? (selected.length === 1 ? name : null)) === name)
      : await findContainers(engine, { file: resolve(path), service: name, project: flags.project });
    const service: ServiceResult = { name, containers, findings: null, after: null, heldBack: null };
    if (containers.length === 0) service.heldBack = 'no containers found (start it from this file first, or name them with --container or --project)';
    else if (flags.after) service.after = await gatherAfter(engine, containers);
    else {
      service.findings = await gatherFindings(engine, name, containers, converted.get(name) ?? []);
      const { volumes, classification } = service.findings;
      const unfit = classification.paths.filter((p) => p.verdict === 'not-a-fit');
      if (volumes.length) service.heldBack = `needs a named volume at ${volumes.map((v) => v.path).join(', ')} first`;
      else if (unfit.length) service.heldBack = `not a fit: ${unfit.map((p) => p.path).join(', ')}`;
    }
    result.services.push(service);
  }
  if (!flags.json && !flags.quiet) io.out(formatFile(result, flags));
  const ready = result.services.filter((s) => s.findings && !s.heldBack);
  if (!flags.after && ready.length) {
    const extraTmpfs: Record<string, TmpfsNeed[]> = {};
    for (const s of ready) extraTmpfs[s.name] = s.findings!.tmpfs.map((t) => ({ path: t.path, options: t.advice.options, source: `preflight: docker diff of ${escapeControl(s.findings!.containers.join(', '))}` }));
    const outcome = await processFile({
      path,
      options: { services: ready.map((s) => s.name), extraTmpfs },
      write: Boolean(flags.write),
      strict: false,
      wantDiff: true,
      wantTexts: false,
      ...(outside ? { outside, followSymlinks: Boolean(flags.followSymlinks) } : {}),
    });
    result.diff = outcome.diff;
    result.written = outcome.report.written;
    if (outcome.report.error) {
      result.error = outcome.report.error.message;
      io.err(`${formatError(outcome.report)}\n`);
    } else if (!flags.json && !flags.quiet && outcome.diff) io.out(io.color ? colorDiff(outcome.diff) : outcome.diff);
  }
  if (!flags.json && !flags.quiet) io.err(`${summaryLine(result, flags)}\n`);
  return result;
}

async function namedContainers(engine: DockerEngine, names: readonly string[]): Promise<ContainerInfo[]> {
  return names.length ? engine.inspectContainers(names) : [];
}

/** The services of this file that named containers belong to (by their compose label). */
function serviceNamesOf(containers: readonly ContainerInfo[], inFile: readonly string[]): string[] {
  const labelled = new Set(containers.map((c) => c.Config.Labels?.[LABEL.service]).filter((s): s is string => Boolean(s)));
  return inFile.filter((name) => labelled.has(name));
}

/** Each service's tmpfs paths in a compose text (the converted one: what the conversion mounts). */
function tmpfsOfServices(text: string): Map<string, string[]> {
  const doc = parse(text, { maxAliasCount: -1, merge: true }) as { services?: Record<string, { tmpfs?: unknown } | null> } | null;
  const out = new Map<string, string[]>();
  for (const [name, service] of Object.entries(doc?.services ?? {})) {
    const value = service?.tmpfs;
    const entries = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    out.set(name, entries.map((e) => tmpfsPath(String(e))));
  }
  return out;
}

/** The text report of one file. Names, paths and log lines come from the engine: escaped. */
function formatFile(file: FileResult, flags: PreflightFlags): string {
  return escapeLines(formatFileRaw(file, flags));
}

function formatFileRaw(file: FileResult, flags: PreflightFlags): string {
  const lines: string[] = [];
  for (const service of file.services) {
    const names = service.containers.map((c) => c.Name.replace(/^\//, '')).join(', ');
    lines.push(`${file.path}: service ${service.name}${names ? ` (${names})` : ''}`);
    if (service.after) {
      for (const f of service.after) {
        const state = `${f.status}${f.status === 'exited' ? ` (exit ${f.exitCode})` : ''}${f.restarts ? `, ${f.restarts} restarts` : ''}`;
        lines.push(`  ${f.ok ? 'ok' : 'FAILED'}  ${f.container}: ${f.readOnly ? 'read-only' : 'NOT read-only (recreate it from the converted file)'}, ${state}`);
        for (const refused of f.refused) lines.push(`    refused write${refused.path ? ` to ${refused.path}` : ''}: ${refused.line}`);
      }
    }
    const findings = service.findings;
    if (findings) {
      for (const t of findings.tmpfs) {
        const entry = t.advice.options.length ? `${t.path}:${t.advice.options.join(',')}` : t.path;
        lines.push(`  + tmpfs   ${entry}   ${t.reason}; ${t.paths.length} path${t.paths.length === 1 ? '' : 's'} written${t.advice.written === null ? '' : `, ${t.advice.written} bytes`}`);
        if (t.advice.unread) lines.push(`    warning: how much was written is unknown (${t.advice.unread}): no size= proposed (a tmpfs without one may grow to half the host's memory); set one no smaller than the data`);
        if (t.advice.hidden.length) lines.push(`    warning: a tmpfs at ${t.path} hides ${t.advice.hidden.length} file${t.advice.hidden.length === 1 ? '' : 's'} the image ships there (Docker does not copy them in): ${sample(t.advice.hidden)}`);
      }
      for (const v of findings.volumes) lines.push(`  ! volume  ${v.path}   ${v.reason}; add a named volume, e.g. \`${service.name}-data:${v.path}\``);
      for (const p of findings.classification.paths) {
        if (p.verdict === 'not-a-fit') lines.push(`  ! not a fit  ${p.path}   ${p.reason}`);
      }
      const covered = findings.classification.paths.filter((p) => p.verdict === 'covered' || p.verdict === 'moot');
      if (covered.length) lines.push(`  = covered ${sample(covered.map((p) => (p.verdict === 'moot' ? `${p.path} (moot: LinuxServer remap)` : `${p.path} (${p.mount})`)))}`);
      if (findings.classification.paths.length === 0) lines.push('  nothing written outside mounts');
      for (const note of findings.notes) lines.push(`  note: ${note}`);
    }
    if (service.heldBack) lines.push(`  held back: ${service.heldBack}${flags.after ? '' : '; not converted'}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function sample(items: readonly string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function summaryLine(file: FileResult, flags: PreflightFlags): string {
  if (flags.after) {
    const found = file.services.flatMap((s) => s.after ?? []);
    return `ro-convert preflight --after: ${found.filter((f) => f.ok).length} of ${found.length} containers healthy read-only`;
  }
  const ready = file.services.filter((s) => !s.heldBack).length;
  const action = file.written ? 'written' : file.diff ? 'preview only, nothing written (--write applies it)' : 'nothing to change';
  return `ro-convert preflight: ${file.path}: ${ready} of ${file.services.length} services ready; ${action}`;
}

function jsonOf(file: FileResult) {
  return {
    path: file.path,
    error: file.error,
    written: file.written,
    services: file.services.map((s) => ({
      name: s.name,
      containers: s.containers.map((c) => c.Name.replace(/^\//, '')),
      heldBack: s.heldBack,
      ...(s.findings && {
        paths: s.findings.classification.paths,
        tmpfs: s.findings.tmpfs.map((t) => ({ path: t.path, entry: t.advice.options.length ? `${t.path}:${t.advice.options.join(',')}` : t.path, reason: t.reason, paths: t.paths, writtenBytes: t.advice.written, sizeUnknown: t.advice.unread, hidden: t.advice.hidden })),
        volumes: s.findings.volumes.map((v) => ({ path: v.path, reason: v.reason, paths: v.paths })),
        notes: s.findings.notes,
      }),
      ...(s.after && { after: s.after }),
    })),
    diff: file.diff,
  };
}

function exitCode(files: readonly FileResult[], flags: PreflightFlags): number {
  if (files.some((f) => f.error)) return EXIT.failed;
  const services = files.flatMap((f) => f.services);
  if (services.some((s) => s.heldBack)) return EXIT.pending;
  if (flags.after && services.some((s) => s.after?.some((f) => !f.ok))) return EXIT.pending;
  return EXIT.ok;
}
