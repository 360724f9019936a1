import { realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { convert, strictRefusal } from '../convert.js';
import type { ConvertOptions } from '../convert.js';
import { asConvertError, ConvertError } from '../parse/errors.js';
import { readText, writeBackup, writeTextAtomic } from './files.js';
import { decodeText } from '../parse/decode.js';
import { relatedFilesOf } from './related-files.js';
import { composeVariables, loadProject } from './project-load.js';
import { processLayer } from './process-layer.js';
import { convertProject, ProjectFileError } from '../project/convert-project.js';
import { MissingEnvFileError, ProjectError } from '../project/merge.js';
import type { Replacement } from '../plan/edits.js';
import { errorEntry } from '../report/report.js';
import type { FileReport } from '../report/report.js';

/** What to do with one file; plain data, so a worker thread can receive it. */
export interface FileJob {
  path: string;
  options: ConvertOptions;
  /** Write the result when it is done (false: the caller decides later, or never). */
  write: boolean;
  /** Refuse files with warnings (`--strict`). */
  strict: boolean;
  /** Keep the diff text for printing. */
  wantDiff: boolean;
  /** Keep input and output texts (for a later write, `--stdout`, or a prompt). */
  wantTexts: boolean;
  /** Keep the input text and the replacements that convert it (for SARIF fixes). */
  wantReplacements?: boolean;
  /**
   * The compose file names a directory search found next to this file: an override file is
   * looked for only among them (absent for a file named on the command line: it is looked up).
   */
  siblings?: readonly string[];
  /** The file's text when the caller has already read it (one read per file). */
  text?: string | undefined;
  /** The bytes of standard input, for the path `-`. */
  stdin?: Uint8Array;
  /**
   * The file's real path when a symlink takes it outside the tree that was named: the diff shows
   * it, and a write there needs {@link followSymlinks}.
   */
  outside?: string;
  /** `--follow-symlinks`: write through a symlink whose target lies outside the tree named. */
  followSymlinks?: boolean;
  /** Convert the project Compose reads from this path (src/project), not the file alone. */
  project?: ProjectJob;
  /** Keep each original beside it, with this suffix, when writing (`--backup`). */
  backup?: string;
}

/** Which project a job converts, as `docker compose` takes it. */
export interface ProjectJob {
  /** `-f` files (relative to the working directory); empty: `COMPOSE_FILE` or default discovery. */
  files: string[];
  /** `--project-directory`. */
  projectDirectory?: string;
  /**
   * One compose file named alone: its override sibling is not merged (as `docker compose -f FILE`),
   * only warned about, as for a single file; without include or env_file it converts as a single file.
   */
  single: boolean;
  /** Files named on the command line (absolute): edits may land in them even outside the project directory. */
  named?: string[];
  /** Why the project is refused before it is read (a project name clash in a directory search). */
  refusal?: string;
  /** `--layer [FILE]`: write the conversion as this layer (null: the project's override file) instead of editing the project. */
  layer?: string | null;
}

/** The result of one job. */
export interface FileOutcome {
  report: FileReport;
  /** Every service name of the file, for "unknown service" messages. */
  serviceNames: string[];
  diff: string | null;
  input: string | null;
  output: string | null;
  /** The regions of `input` the conversion replaces, when the job asked for them. */
  replacements: readonly Replacement[] | null;
  /** Why the file must not be written (a symlink out of the tree named), or null. */
  writeRefusal: string | null;
  /** For "unknown service" messages: the services with the files that define them (a project's). */
  serviceLabels?: string[];
  /** The project's other files that changed or convert a service (a project job's first file is this outcome). */
  others?: FileOutcome[];
  /** Lines for the user beside the report (how Compose loads a layer, why `--check` fails it). */
  note?: string;
}

/** Whether a compose file's text needs other files Compose reads with it: include, env_file, or an image the `.env` may give. */
function spansFiles(text: string): boolean {
  return /(^|\n)include\s*:|\benv_file\s*:|\bimage\s*:[^\n]*\$/.test(text);
}

/**
 * Reads, converts and (if asked) writes the project a job names: every changed file in the
 * outcome and its `others`. Never throws, as {@link processFile}.
 */
async function processProject(job: FileJob, project: ProjectJob): Promise<FileOutcome> {
  if (project.layer !== undefined) return processLayer(job, { ...project, layer: project.layer });
  const cwd = process.cwd();
  const display = (path: string) => relative(cwd, path) || '.';
  const failed = (path: string, error: unknown): FileOutcome => {
    const report: FileReport = { path, status: 'error', written: false, error: errorEntry(asConvertError(error)), services: [], skippedUntested: [] };
    return { report, serviceNames: [], diff: null, input: null, output: null, replacements: null, writeRefusal: null };
  };
  if (project.refusal) return failed(job.path, new ConvertError('bad-project', project.refusal));
  // A file named alone is read once here: the single-file conversion or the project loader takes its text.
  let named: { path: string; text: string } | undefined;
  if (project.single) {
    try {
      named = { path: resolve(cwd, project.files[0]!), text: readText(project.files[0]!) };
    } catch {
      // The single-file path reports why it cannot be read.
      return processFile({ ...job, project: undefined });
    }
    // One that spans no other file: the single-file conversion, its errors as they are.
    if (!spansFiles(named.text)) return processFile({ ...job, project: undefined, text: named.text });
  }
  let outcomes: FileOutcome[];
  try {
    const { project: files, read } = loadProject({ files: project.files, projectDirectory: project.projectDirectory, cwd, env: process.env, known: named });
    const conversion = convertProject(files, read, {
      ...job.options,
      display,
      named: [...files.files.map((f) => f.path), ...(project.named ?? [])],
      realPath: (path) => {
        try {
          return realpathSync.native(path);
        } catch {
          return path;
        }
      },
      override: project.single ? (path) => relatedFilesOf(path, job.siblings).override() : undefined,
    });
    const shown = conversion.files.filter((file, i) => i === 0 || file.changed || file.services.length);
    const refusal = job.strict ? strictRefusal({ services: shown.flatMap((f) => f.services) }) : null;
    if (refusal) throw refusal;
    const projectPath = display(shown[0]!.path);
    outcomes = shown.map((file, i) => ({
      report: {
        path: display(file.path),
        status: file.changed ? 'changed' : 'unchanged',
        written: false,
        error: null,
        services: file.services,
        skippedUntested: i === 0 ? conversion.skippedUntested : [],
        ...(shown.length > 1 ? { project: projectPath } : {}),
      },
      serviceNames: i === 0 ? conversion.names : [],
      ...(i === 0 ? { serviceLabels: conversion.serviceNames } : {}),
      diff: job.wantDiff && file.changed ? file.diff : null,
      input: file.input,
      output: file.output,
      replacements: job.wantReplacements && file.result ? file.result.replacements : null,
      writeRefusal: null,
    }));
  } catch (error) {
    // A file named alone whose env file is not here (env files are often kept out of git, as on a
    // fresh clone): converted as the single file it is, which warns about that env file.
    if (project.single && error instanceof MissingEnvFileError) return processFile({ ...job, project: undefined, text: named?.text });
    // A file named alone answers for itself (its report entry is the path given), naming the file at fault.
    if (project.single && error instanceof ProjectError) {
      const atFault = display(error.file);
      return failed(job.path, new ConvertError('bad-project', atFault === display(resolve(job.path)) ? error.message : `${atFault}: ${error.message}`));
    }
    const path = error instanceof ProjectError || error instanceof ProjectFileError ? display(error.file) : (project.files[0] ?? project.projectDirectory ?? '.');
    return failed(path, error instanceof ProjectError ? new ConvertError('bad-project', error.message) : error);
  }
  if (job.write) for (const outcome of outcomes) await writeOutcome(outcome, job.backup);
  if (!job.wantTexts) {
    for (const outcome of outcomes) {
      outcome.output = null;
      if (!job.wantReplacements) outcome.input = null;
    }
  }
  const [first, ...others] = outcomes;
  return others.length ? { ...first!, others } : first!;
}

/**
 * Reads, converts and (if asked) writes one file. Never throws: a refusal, an I/O error or
 * a bug becomes the report's `error`, so one bad file does not stop the others.
 */
export async function processFile(job: FileJob): Promise<FileOutcome> {
  if (job.project) return processProject(job, job.project);
  const report: FileReport = { path: job.path, status: 'unchanged', written: false, error: null, services: [], skippedUntested: [] };
  const writeRefusal = job.outside && !job.followSymlinks ? `cannot write: it is a symlink to ${job.outside}, outside the directory that was named (--follow-symlinks writes there)` : null;
  const outcome: FileOutcome = { report, serviceNames: [], diff: null, input: null, output: null, replacements: null, writeRefusal };
  try {
    const text = job.stdin ? decodeText(job.stdin) : (job.text ?? readText(job.path));
    const related = job.stdin || job.path === '-' ? undefined : relatedFilesOf(job.path, job.siblings);
    // The diff names the file that would be written: through a symlink out of the tree, its target.
    const shown = job.path === '-' ? 'stdin' : job.outside ? relative(process.cwd(), job.outside) : job.path;
    // Mount paths are read with the variables Compose would use: the shell's over the `.env` beside
    // the file (looked up only for a text with a variable in it).
    const variables = text.includes('$') ? composeVariables(related?.envFile('.env') ?? null, process.env) : undefined;
    const result = convert(text, { ...job.options, path: shown, related, variables });
    report.services = result.services;
    report.skippedUntested = result.skippedUntested;
    outcome.serviceNames = result.serviceNames;
    report.status = result.changed ? 'changed' : 'unchanged';
    const refusal = job.strict ? strictRefusal(result) : null;
    if (refusal) throw refusal;
    if (job.wantDiff && result.changed) outcome.diff = result.diff;
    if (job.wantTexts || job.write || job.wantReplacements) {
      outcome.input = text;
      outcome.output = result.output;
    }
    if (job.wantReplacements) outcome.replacements = result.replacements;
  } catch (error) {
    report.status = 'error';
    report.error = errorEntry(asConvertError(error));
  }
  if (job.write) await writeOutcome(outcome, job.backup);
  if (!job.wantTexts) {
    outcome.output = null;
    if (!job.wantReplacements) outcome.input = null;
  }
  return outcome;
}

/**
 * Writes a changed file's converted text over it (atomically, refusing a file changed on
 * disk since it was read), its original first kept beside it with the `backup` suffix when
 * one is given. A failure becomes the report's error, like a refusal.
 */
export async function writeOutcome(outcome: FileOutcome, backup?: string): Promise<void> {
  const { report, input, output } = outcome;
  if (report.status !== 'changed' || input === null || output === null || report.path === '-') return;
  if (outcome.writeRefusal) {
    report.status = 'error';
    report.error = errorEntry(new ConvertError('io', outcome.writeRefusal));
    return;
  }
  try {
    if (backup) await writeBackup(report.path, backup, input);
    await writeTextAtomic(report.path, input, output);
    report.written = true;
  } catch (error) {
    report.status = 'error';
    report.error = errorEntry(asConvertError(error));
  }
}
