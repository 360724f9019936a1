import { resolve } from 'node:path';
import type { ConvertOptions } from '../convert.js';
import { colorDiff } from '../report/diff.js';
import { COMPOSE_FILE_NAMES, expandPaths, installSignalCleanup } from '../io/files.js';
import type { PathSearch } from '../io/files.js';
import { includedComposeFiles, projectFilesIn, projectNameClashes } from '../io/project-load.js';
import { processAll } from '../io/pool.js';
import { redactDiff } from '../report/redact.js';
import { escapeJsonControl, escapeLines } from '../report/escape.js';
import { writeOutcome } from '../io/process-file.js';
import type { FileJob, FileOutcome, ProjectJob } from '../io/process-file.js';
import { errorEntry, failedPath, formatError, formatSearch, formatSummary, formatWarnings, summarize } from '../report/report.js';
import { ConvertError } from '../parse/errors.js';
import { VERSION } from './version.js';

/** What a run prints on stdout: diffs (`text`), one JSON report, a SARIF log, GitHub Actions annotations, or a pull request body (`markdown`). */
export type OutputFormat = 'text' | 'json' | 'sarif' | 'github' | 'markdown';

/** What the command line asked for, after parsing. */
export interface RunOptions extends ConvertOptions {
  paths: string[];
  mode: 'preview' | 'write' | 'check';
  /** Ask before writing each file (with mode `write`). */
  interactive: boolean;
  /** Print the converted text instead of a diff (one input). */
  stdout: boolean;
  format: OutputFormat;
  quiet: boolean;
  strict: boolean;
  color: boolean;
  /** Mask the values of secret-looking variables in printed diffs (`--redact`). */
  redact?: boolean;
  /** Write through symlinks whose targets lie outside the tree named (`--follow-symlinks`). */
  followSymlinks?: boolean;
  /** `-f FILE` (repeatable): these files form one project, as `docker compose -f` reads them. */
  files?: string[];
  /** `--project-directory DIR`. */
  projectDirectory?: string;
  /** Keep each original beside it with this suffix when writing (`--backup`). */
  backup?: string;
  /** `--layer [FILE]`: write the conversion as this layer file (null: the project's override file). */
  layer?: string | null;
}

/** The outside world of a run: output streams, standard input, and the terminal. */
export interface RunIO {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<Uint8Array>;
  /** Asks a yes/no question on the terminal; only called in interactive mode. */
  ask(question: string): Promise<string>;
  /** Whether stderr is a terminal (progress is shown only there). */
  progress: boolean;
}

/** Exit codes: the contract CI relies on. */
export const EXIT = { ok: 0, pending: 1, failed: 2 } as const;

/**
 * Converts every file the options name and reports: the diff (or text) on stdout; each
 * file's warnings, then its error, then the summary on stderr; or one JSON document on stdout,
 * always, with per-file errors. Files are independent: one bad file is reported and the others
 * still processed. When services are named, nothing is written until every name is known to
 * exist in some file that parsed.
 * @returns the exit code
 */
export async function run(options: RunOptions, io: RunIO): Promise<number> {
  // `-f`, `--project-directory` or no path at all: the one project Compose would run from here.
  const oneProject = Boolean(options.files?.length) || options.projectDirectory !== undefined || options.paths.length === 0;
  const search: PathSearch = oneProject ? { files: [], directories: [], sameAs: new Map(), siblings: new Map(), outside: new Map() } : expandPaths(options.paths);
  const layer = options.layer !== undefined ? { layer: options.layer } : {};
  const projects = oneProject ? new Map([[options.files?.[0] ?? options.projectDirectory ?? '.', { files: options.files ?? [], projectDirectory: options.projectDirectory, single: false, ...layer }]]) : projectsOf(search);
  const paths = [...projects.keys()];
  const stdin = paths.includes('-') ? await io.readStdin() : undefined;
  const named = options.services ?? [];
  // Write in the same pass only when nothing can still veto the write.
  // (A layer refuses unknown services itself, and is one file.)
  const deferWrite = options.layer === undefined && (named.length > 0 || options.interactive);
  const write = options.mode === 'write' && !options.stdout;
  // Ctrl-C or a kill during the writes must not leave temp files behind.
  if (write) installSignalCleanup(paths);
  const conversion: ConvertOptions = {
    services: options.services,
    all: options.all,
    images: options.images,
    supported: options.supported,
    keepEnv: options.keepEnv,
    stripEnv: options.stripEnv,
    swarm: options.swarm,
    // `--check --quiet` shows nothing built from the converted text or the reported changes,
    // only an exit status from the plan (which already fails a service left writable): the
    // check of that text is left to the runs that write or show it (docs/adr/0002).
    verify: !(options.mode === 'check' && options.quiet && options.format === 'text'),
    // Text output with --quiet prints no warnings; --strict still needs them to refuse.
    warnings: !(options.quiet && options.format === 'text' && !options.strict),
  };
  const jobs: FileJob[] = paths.map((path) => ({
    path,
    options: conversion,
    write: write && !deferWrite && path !== '-',
    strict: options.strict,
    wantDiff: !options.quiet && (options.format === 'text' || options.format === 'github' || options.format === 'markdown') && !options.stdout,
    wantTexts: options.stdout || (write && deferWrite),
    wantReplacements: options.format === 'sarif',
    ...(path === '-' ? { stdin } : {}),
    ...(search.siblings.has(path) ? { siblings: search.siblings.get(path) } : {}),
    ...(search.outside.has(path) ? { outside: search.outside.get(path), followSymlinks: Boolean(options.followSymlinks) } : {}),
    ...(projects.get(path) ? { project: projects.get(path)! } : {}),
    ...(options.backup ? { backup: options.backup } : {}),
  }));
  const showProgress = io.progress && paths.length > 1 && !options.quiet && options.format === 'text';
  const processed = await processAll(jobs, showProgress ? (done) => io.err(`\rro-convert: ${done}/${paths.length} files`) : undefined);
  if (showProgress) io.err(`\r\x1b[K`);

  // A project's other files follow its first; when a named service is unknown, only the first speaks.
  const unknown = unknownServices(processed, named);
  const outcomes = unknown.length ? processed : processed.flatMap((o) => [o, ...(o.others ?? [])]);
  refuseUnknownServices(outcomes, unknown);
  if (write && deferWrite) await writeDeferred(outcomes, options, io);

  const empty = search.directories.filter((d) => d.found.length === 0);
  const reports = [
    ...empty.map((d) => failedPath(d.path, 'no-compose-files', `no compose files here (looked for ${COMPOSE_FILE_NAMES})`)),
    ...outcomes.map((o) => o.report),
  ];
  const summary = summarize(reports);
  if (options.format === 'json') {
    io.out(`${escapeJsonControl(JSON.stringify({ files: reports, summary }, null, 2))}\n`);
  } else if (options.format === 'sarif') {
    const { sarifLog } = await import('../report/sarif.js');
    io.out(`${escapeJsonControl(JSON.stringify(sarifLog(outcomes, { mode: options.mode, cwd: process.cwd(), version: VERSION }), null, 2))}\n`);
  } else if (options.format === 'github') {
    // Annotations on stdout, where the runner reads workflow commands; each diff folded.
    const { fileAnnotations, groupedDiff } = await import('../report/github-annotations.js');
    for (const { report, diff } of outcomes) {
      if (diff) io.out(groupedDiff(report.path, printable(diff, options)));
      for (const line of fileAnnotations(report, options.mode, process.cwd())) io.out(`${line}\n`);
    }
    if (!options.quiet) io.err(`${formatSummary(summary, options.mode)}\n`);
  } else if (options.format === 'markdown') {
    const { markdownReport } = await import('../report/markdown.js');
    io.out(markdownReport(outcomes.map(({ report, diff }) => ({ report, diff: diff && (options.redact ? redactDiff(diff) : diff) })), summary, options.mode));
    if (!options.quiet) io.err(`${formatSummary(summary, options.mode)}\n`);
  } else {
    for (const outcome of outcomes) {
      if (options.stdout && outcome.output !== null) io.out(outcome.output);
      if (outcome.diff && !(options.interactive && write)) io.out(printable(outcome.diff, options));
      if (outcome.note && !options.quiet) io.err(`${outcome.note}\n`);
    }
    // A file's warnings come before its error: a --strict refusal points at the warnings above it.
    // File names can hold control characters: escaped.
    for (const report of reports) {
      if (!options.quiet) for (const line of formatWarnings(report)) io.err(`${escapeLines(line)}\n`);
      if (report.error) io.err(`${escapeLines(formatError(report))}\n`);
    }
    if (!options.quiet) {
      for (const line of formatSearch(search.directories, search.sameAs)) io.err(`${escapeLines(line)}\n`);
      io.err(`${escapeLines(formatSummary(summary, options.mode))}\n`);
    }
  }
  if (summary.failed > 0) return EXIT.failed;
  if (options.mode === 'check' && (summary.changed > 0 || summary.writable.length > 0)) return EXIT.pending;
  return EXIT.ok;
}

/** The named services that no file (or project) that parsed has. */
function unknownServices(outcomes: readonly FileOutcome[], named: readonly string[]): string[] {
  const known = new Set(outcomes.flatMap((o) => o.serviceNames));
  return named.filter((name) => !known.has(name));
}

/**
 * The projects the paths name, by the path each is reported under: a file named alone is that
 * file as `docker compose -f FILE` reads it (its includes, extends and env files); in a folder a
 * directory search found, the default compose file is a project with its override file (which
 * is not converted again on its own), any other compose file is converted as named alone, and a
 * file another found project includes is converted as part of it, not again. `-` stays a file.
 */
function projectsOf(search: PathSearch): Map<string, ProjectJob | null> {
  const projects = new Map<string, ProjectJob | null>();
  for (const path of search.files) {
    const siblings = search.siblings.get(path);
    if (path === '-' || !siblings) {
      projects.set(path, path === '-' ? null : { files: [path], single: true });
      continue;
    }
    const files = projectFilesIn(path, siblings);
    if (files === null) continue;
    projects.set(path, files.length > 1 || files[0] !== path ? { files, single: false } : { files, single: true });
  }
  // A file another project includes converts with it; one named on the command line may be edited
  // by any project, even outside its directory (the user asked for it).
  const included = includedComposeFiles([...projects].flatMap(([, project]) => (project ? [project.files] : [])));
  const named = search.files.filter((path) => path !== '-' && !search.siblings.has(path)).map((path) => resolve(path));
  for (const [path, project] of projects) {
    if (included.has(resolve(path))) projects.delete(path);
    else if (project && named.length) projects.set(path, { ...project, named });
  }
  const clashes = projectNameClashes([...projects].filter(([path]) => search.siblings.has(path)).map(([, project]) => project!.files));
  for (const [path, refusal] of clashes) projects.set(path, { ...projects.get(path)!, refusal });
  return projects;
}

/**
 * When a named service is in no file that parsed, the run converts nothing: each file that
 * parsed gets an `unknown-service` error naming the missing services and the ones it has, and
 * loses its diff and output. Files with their own error keep it (it says more).
 */
function refuseUnknownServices(outcomes: FileOutcome[], unknown: readonly string[]): void {
  if (!unknown.length) return;
  for (const outcome of outcomes) {
    const { report } = outcome;
    if (report.error) continue;
    const has = (outcome.serviceLabels ?? outcome.serviceNames).join(', ') || 'none';
    const message = `no service${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} here (services: ${has})`;
    report.status = 'error';
    report.error = errorEntry(new ConvertError('unknown-service', message));
    outcome.diff = outcome.input = outcome.output = null;
  }
}

async function writeDeferred(outcomes: FileOutcome[], options: RunOptions, io: RunIO): Promise<void> {
  for (const outcome of outcomes) {
    const { report, input, output } = outcome;
    if (report.status !== 'changed' || input === null || output === null || report.path === '-') continue;
    if (options.interactive) {
      if (outcome.diff) io.out(printable(outcome.diff, options));
      const answer = (await io.ask(`Write ${report.path}? [y/N/q] `)).trim().toLowerCase();
      if (answer === 'q') break;
      if (answer !== 'y' && answer !== 'yes') continue;
    }
    await writeOutcome(outcome, options.backup);
  }
}

/** A diff as printed: secret values masked with `--redact`, coloured on a terminal. */
function printable(diff: string, options: RunOptions): string {
  const text = options.redact ? redactDiff(diff) : diff;
  return options.color ? colorDiff(text) : text;
}
