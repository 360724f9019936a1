import type { ConvertOptions } from '../convert.js';
import { colorDiff } from '../report/diff.js';
import { expandPaths, installSignalCleanup } from '../io/files.js';
import { processAll } from '../io/pool.js';
import { redactDiff } from '../report/redact.js';
import { writeOutcome } from '../io/process-file.js';
import type { FileJob, FileOutcome } from '../io/process-file.js';
import { formatError, formatSummary, formatWarnings, summarize } from '../report/report.js';

/** What the command line asked for, after parsing. */
export interface RunOptions extends ConvertOptions {
  paths: string[];
  mode: 'preview' | 'write' | 'check';
  /** Ask before writing each file (with mode `write`). */
  interactive: boolean;
  /** Print the converted text instead of a diff (one input). */
  stdout: boolean;
  json: boolean;
  quiet: boolean;
  strict: boolean;
  color: boolean;
  /** Mask the values of secret-looking variables in printed diffs (`--redact`). */
  redact?: boolean;
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
 * Converts every file the options name and reports: the diff (or text) on stdout, warnings,
 * errors and the summary on stderr, or one JSON document on stdout. Files are independent:
 * one bad file is reported and the others still processed. When services are named, nothing
 * is written until every name is known to exist in some file.
 * @returns the exit code
 */
export async function run(options: RunOptions, io: RunIO): Promise<number> {
  const paths = expandPaths(options.paths);
  if (paths.length === 0) {
    io.err(`ro-convert: error: no compose files found in ${options.paths.join(', ')}\n`);
    return EXIT.failed;
  }
  const stdin = paths.includes('-') ? await io.readStdin() : undefined;
  const named = options.services ?? [];
  // Write in the same pass only when nothing can still veto the write.
  const deferWrite = named.length > 0 || options.interactive;
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
  };
  const jobs: FileJob[] = paths.map((path) => ({
    path,
    options: conversion,
    write: write && !deferWrite && path !== '-',
    strict: options.strict,
    wantDiff: !options.quiet && !options.json && !options.stdout,
    wantTexts: options.stdout || (write && deferWrite),
    ...(path === '-' ? { stdin } : {}),
  }));
  const showProgress = io.progress && paths.length > 1 && !options.quiet && !options.json;
  const outcomes = await processAll(jobs, showProgress ? (done) => io.err(`\rro-convert: ${done}/${paths.length} files`) : undefined);
  if (showProgress) io.err(`\r\x1b[K`);

  const known = new Set(outcomes.flatMap((o) => o.serviceNames));
  const unknown = named.filter((name) => !known.has(name));
  if (unknown.length) {
    const list = [...known].sort().join(', ') || 'none';
    io.err(`ro-convert: error: unknown service${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; services in the given files: ${list}\n`);
    return EXIT.failed;
  }
  if (write && deferWrite) await writeDeferred(outcomes, options, io);

  const reports = outcomes.map((o) => o.report);
  const summary = summarize(reports);
  if (options.json) {
    io.out(`${JSON.stringify({ files: reports, summary }, null, 2)}\n`);
  } else {
    for (const outcome of outcomes) {
      if (options.stdout && outcome.output !== null) io.out(outcome.output);
      if (outcome.diff && !(options.interactive && write)) io.out(printable(outcome.diff, options));
    }
    for (const report of reports) {
      if (report.error) io.err(`${formatError(report)}\n`);
      if (!options.quiet) for (const line of formatWarnings(report)) io.err(`${line}\n`);
    }
    if (!options.quiet) io.err(`${formatSummary(summary, options.mode)}\n`);
  }
  if (summary.failed > 0) return EXIT.failed;
  if (options.mode === 'check' && (summary.changed > 0 || summary.writable.length > 0)) return EXIT.pending;
  return EXIT.ok;
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
    await writeOutcome(outcome);
  }
}

/** A diff as printed: secret values masked with `--redact`, coloured on a terminal. */
function printable(diff: string, options: RunOptions): string {
  const text = options.redact ? redactDiff(diff) : diff;
  return options.color ? colorDiff(text) : text;
}
