import { relative } from 'node:path';
import type { ServiceReport } from '../plan/diagnostics.js';
import type { ConvertError, ErrorCode } from '../parse/errors.js';
import { isActionable } from '../knowledge/companions.js';
import type { CompanionImage } from '../knowledge/companions.js';

/**
 * Why a path failed: a file's refusal ({@link ErrorCode}), or `no-compose-files` for a directory
 * argument in which the search found none.
 */
export type ReportErrorCode = ErrorCode | 'no-compose-files';

/** One file's entry in the report (the `--json` shape). */
export interface FileReport {
  path: string;
  status: 'changed' | 'unchanged' | 'error';
  /** True once the converted text is on disk. */
  written: boolean;
  error: { code: ReportErrorCode; message: string; line: number | null; column: number | null } | null;
  services: ServiceReport[];
  /** LinuxServer services `--supported` left out as untested read-only (by name). */
  skippedUntested: string[];
  /**
   * For a file of a multi-file project: the project's first file (as `path` shows it). A service
   * of the project is reported in each file that edits it, and counted once.
   */
  project?: string;
}

/** Totals for the end of a run. */
export interface Summary {
  files: number;
  changed: number;
  unchanged: number;
  failed: number;
  written: number;
  servicesConverted: number;
  /** LinuxServer services `--supported` left out as untested read-only: how many, and their names once each. */
  skippedUntested: { services: number; names: string[] };
  /** Selected services Compose would still run writable (`path: service`): `--check` fails on them. */
  writable: string[];
  warnings: Record<string, number>;
}

/** The error part of a report, from a refusal. */
export function errorEntry(error: ConvertError): NonNullable<FileReport['error']> {
  return { code: error.code, message: error.message, line: error.line, column: error.column };
}

/**
 * Adds up a run's file reports. A service counts as converted when it got at least one change
 * in a file that did not fail (a refused file's services are not converted); a project's service
 * counts once, however many of its files it is edited in, and is named writable once.
 */
export function summarize(reports: readonly FileReport[]): Summary {
  const warnings: Record<string, number> = {};
  const converted = new Set<string>();
  const writable = new Map<string, string>();
  for (const report of reports) {
    for (const service of report.services) {
      const key = `${report.project ?? report.path}\0${service.name}`;
      if (service.changes.length && report.status !== 'error') converted.add(key);
      if (!service.readOnly && !writable.has(key)) writable.set(key, `${report.path}: ${service.name}`);
      for (const warning of service.warnings) warnings[warning.code] = (warnings[warning.code] ?? 0) + 1;
    }
  }
  return {
    files: reports.length,
    changed: reports.filter((r) => r.status === 'changed').length,
    unchanged: reports.filter((r) => r.status === 'unchanged').length,
    failed: reports.filter((r) => r.status === 'error').length,
    written: reports.filter((r) => r.written).length,
    servicesConverted: converted.size,
    skippedUntested: {
      services: reports.reduce((n, r) => n + r.skippedUntested.length, 0),
      names: [...new Set(reports.flatMap((r) => r.skippedUntested))],
    },
    writable: [...writable.values()],
    warnings,
  };
}

/** `path:line:col: message`, the one line a refused file gets. */
export function formatError(report: FileReport): string {
  const e = report.error!;
  const where = e.line !== null ? `:${e.line}:${e.column ?? 1}` : '';
  return `${report.path}${where}: error: ${e.message}`;
}

/** The report of a path that failed before any conversion (missing, or a directory without compose files). */
export function failedPath(path: string, code: ReportErrorCode, message: string): FileReport {
  return { path, status: 'error', written: false, error: { code, message, line: null, column: null }, services: [], skippedUntested: [] };
}

/** One line per warning: `path:line: service NAME: message [code]`. */
export function formatWarnings(report: FileReport): string[] {
  return report.services.flatMap((service) =>
    service.warnings.map((w) => `${report.path}${w.line !== null ? `:${w.line}` : ''}: warning: service ${service.name}: ${w.message} [${w.code}]`),
  );
}

/**
 * One line per directory argument: how many compose files the search found there, and their
 * names (relative to it; the first {@link LISTED_FILES}), so a file it skipped is noticed. A
 * name that is the same file as another (a symlink) says so: it is converted once.
 */
export function formatSearch(directories: readonly { path: string; found: readonly string[] }[], sameAs: ReadonlyMap<string, string>): string[] {
  return directories
    .filter((d) => d.found.length)
    .map(({ path, found }) => {
      const names = found.slice(0, LISTED_FILES).map((file) => {
        const first = sameAs.get(file);
        return first === undefined ? relative(path, file) : `${relative(path, file)} (same file as ${first})`;
      });
      const more = found.length > LISTED_FILES ? `, and ${found.length - LISTED_FILES} more` : '';
      return `ro-convert: ${path}: found ${found.length} compose file${found.length === 1 ? '' : 's'}: ${names.join(', ')}${more}`;
    });
}

/** How many names a directory's line lists before "and N more". */
const LISTED_FILES = 20;

/** The closing line(s) of a text run. */
export function formatSummary(summary: Summary, mode: 'preview' | 'write' | 'check'): string {
  const verb = mode === 'write' ? 'changed' : mode === 'check' ? 'would change' : 'would change (preview, nothing written)';
  const parts = [
    `${summary.files} file${summary.files === 1 ? '' : 's'}: ${summary.changed} ${verb}, ${summary.unchanged} unchanged, ${summary.failed} failed`,
    `${summary.servicesConverted} service${summary.servicesConverted === 1 ? '' : 's'} converted`,
  ];
  const kinds = Object.entries(summary.warnings).sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = [`ro-convert: ${parts.join('; ')}`];
  const { services: skipped, names } = summary.skippedUntested;
  if (skipped) {
    const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}…` : names.join(', ');
    lines.push(
      `--supported skipped ${skipped} LinuxServer service${skipped === 1 ? '' : 's'} not tested read-only (${shown}); convert ${skipped === 1 ? 'it' : 'them'} anyway with --service NAME`,
    );
  }
  for (const where of summary.writable) lines.push(`${where}: not read-only in Compose's view (read_only is left to a variable, or the override file sets it; see the warnings)`);
  if (kinds.length) lines.push(`warnings: ${kinds.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  return lines.join('\n');
}

/** The `--list-images` table: image, read-only support, caveats (one per line, indented). */
export function formatImageTable(images: readonly { image: string; readonlySupported: boolean; deprecated: boolean; caveats: readonly string[] }[]): string {
  const width = Math.max(5, ...images.map((i) => i.image.length));
  const lines = [`${'IMAGE'.padEnd(width)}  READ-ONLY  CAVEATS`];
  for (const image of images) {
    const support = (image.readonlySupported ? 'supported' : 'untested').padEnd(9);
    const [first, ...rest] = [...(image.deprecated ? ['(deprecated image)'] : []), ...image.caveats];
    lines.push(`${image.image.padEnd(width)}  ${support}  ${first ?? ''}`.trimEnd());
    for (const caveat of rest) lines.push(`${' '.repeat(width + 13)}${caveat}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The companion part of `--list-images`: per image its `/run` need, the tmpfs entries the
 * conversion adds (documented or verified) and those it only names, the confidence letters, then
 * its breakage and caveats, one per line, each with its confidence.
 */
export function formatCompanionTable(images: readonly CompanionImage[]): string {
  const width = Math.max(5, ...images.map((i) => i.name.length));
  const rows = images.map((image) => {
    const tmpfs = image.tmpfs.map((t) => (isActionable(t.confidence) ? t.path : `(${t.path})`));
    return { image, run: image.run, tmpfs: tmpfs.join(' ') || '-' };
  });
  const tmpfsWidth = Math.max(5, ...rows.map((r) => r.tmpfs.length));
  const lines = [`${'IMAGE'.padEnd(width)}  /RUN   ${'TMPFS'.padEnd(tmpfsWidth)}  CONF.`];
  for (const { image, run, tmpfs } of rows) {
    lines.push(`${image.name.padEnd(width)}  ${run.padEnd(5)}  ${tmpfs.padEnd(tmpfsWidth)}  ${image.confidence}`);
    const notes = [
      `matches ${image.references.join(', ')}`,
      ...image.breaks.map((f) => `breaks: ${f.text} [${f.confidence}]`),
      ...image.caveats.map((f) => `${f.text} [${f.confidence}]`),
      ...image.volumes.map((v) => `${v.text} [${v.confidence}]`),
    ];
    for (const note of notes) lines.push(`${' '.repeat(width + 2)}${note}`);
  }
  return `${lines.join('\n')}\n`;
}
