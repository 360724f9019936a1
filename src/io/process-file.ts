import { relative } from 'node:path';
import { convert, strictRefusal } from '../convert.js';
import type { ConvertOptions } from '../convert.js';
import { asConvertError, ConvertError } from '../parse/errors.js';
import { readText, writeTextAtomic } from './files.js';
import { decodeText } from '../parse/decode.js';
import { relatedFilesOf } from './related-files.js';
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
  /** The bytes of standard input, for the path `-`. */
  stdin?: Uint8Array;
  /**
   * The file's real path when a symlink takes it outside the tree that was named: the diff shows
   * it, and a write there needs {@link followSymlinks}.
   */
  outside?: string;
  /** `--follow-symlinks`: write through a symlink whose target lies outside the tree named. */
  followSymlinks?: boolean;
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
}

/**
 * Reads, converts and (if asked) writes one file. Never throws: a refusal, an I/O error or
 * a bug becomes the report's `error`, so one bad file does not stop the others.
 */
export async function processFile(job: FileJob): Promise<FileOutcome> {
  const report: FileReport = { path: job.path, status: 'unchanged', written: false, error: null, services: [], skippedUntested: [] };
  const writeRefusal = job.outside && !job.followSymlinks ? `cannot write: it is a symlink to ${job.outside}, outside the directory that was named (--follow-symlinks writes there)` : null;
  const outcome: FileOutcome = { report, serviceNames: [], diff: null, input: null, output: null, replacements: null, writeRefusal };
  try {
    const text = job.stdin ? decodeText(job.stdin) : readText(job.path);
    const related = job.stdin || job.path === '-' ? undefined : relatedFilesOf(job.path, job.siblings);
    // The diff names the file that would be written: through a symlink out of the tree, its target.
    const shown = job.path === '-' ? 'stdin' : job.outside ? relative(process.cwd(), job.outside) : job.path;
    const result = convert(text, { ...job.options, path: shown, related });
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
  if (job.write) await writeOutcome(outcome);
  if (!job.wantTexts) {
    outcome.output = null;
    if (!job.wantReplacements) outcome.input = null;
  }
  return outcome;
}

/**
 * Writes a changed file's converted text over it (atomically, refusing a file changed on
 * disk since it was read). A failure becomes the report's error, like a refusal.
 */
export async function writeOutcome(outcome: FileOutcome): Promise<void> {
  const { report, input, output } = outcome;
  if (report.status !== 'changed' || input === null || output === null || report.path === '-') return;
  if (outcome.writeRefusal) {
    report.status = 'error';
    report.error = errorEntry(new ConvertError('io', outcome.writeRefusal));
    return;
  }
  try {
    await writeTextAtomic(report.path, input, output);
    report.written = true;
  } catch (error) {
    report.status = 'error';
    report.error = errorEntry(asConvertError(error));
  }
}
