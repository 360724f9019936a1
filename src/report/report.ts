import type { ServiceReport } from '../plan/diagnostics.js';
import type { ConvertError, ErrorCode } from '../parse/errors.js';

/** One file's entry in the report (the `--json` shape). */
export interface FileReport {
  path: string;
  status: 'changed' | 'unchanged' | 'error';
  /** True once the converted text is on disk. */
  written: boolean;
  error: { code: ErrorCode; message: string; line: number | null; column: number | null } | null;
  services: ServiceReport[];
}

/** Totals for the end of a run. */
export interface Summary {
  files: number;
  changed: number;
  unchanged: number;
  failed: number;
  written: number;
  servicesConverted: number;
  /** Selected services Compose would still run writable (`path: service`): `--check` fails on them. */
  writable: string[];
  warnings: Record<string, number>;
}

/** The error part of a report, from a refusal. */
export function errorEntry(error: ConvertError): NonNullable<FileReport['error']> {
  return { code: error.code, message: error.message, line: error.line, column: error.column };
}

/** Adds up a run's file reports. A service counts as converted when it got at least one change. */
export function summarize(reports: readonly FileReport[]): Summary {
  const warnings: Record<string, number> = {};
  let servicesConverted = 0;
  for (const report of reports) {
    for (const service of report.services) {
      if (service.changes.length) servicesConverted++;
      for (const warning of service.warnings) warnings[warning.code] = (warnings[warning.code] ?? 0) + 1;
    }
  }
  return {
    files: reports.length,
    changed: reports.filter((r) => r.status === 'changed').length,
    unchanged: reports.filter((r) => r.status === 'unchanged').length,
    failed: reports.filter((r) => r.status === 'error').length,
    written: reports.filter((r) => r.written).length,
    servicesConverted,
    writable: reports.flatMap((r) => r.services.filter((s) => !s.readOnly).map((s) => `${r.path}: ${s.name}`)),
    warnings,
  };
}

/** `path:line:col: message`, the one line a refused file gets. */
export function formatError(report: FileReport): string {
  const e = report.error!;
  const where = e.line !== null ? `:${e.line}:${e.column ?? 1}` : '';
  return `${report.path}${where}: error: ${e.message}`;
}

/** One line per warning: `path:line: service NAME: message [code]`. */
export function formatWarnings(report: FileReport): string[] {
  return report.services.flatMap((service) =>
    service.warnings.map((w) => `${report.path}${w.line !== null ? `:${w.line}` : ''}: warning: service ${service.name}: ${w.message} [${w.code}]`),
  );
}

/** The closing line(s) of a text run. */
export function formatSummary(summary: Summary, mode: 'preview' | 'write' | 'check'): string {
  const verb = mode === 'write' ? 'changed' : mode === 'check' ? 'would change' : 'would change (preview, nothing written)';
  const parts = [
    `${summary.files} file${summary.files === 1 ? '' : 's'}: ${summary.changed} ${verb}, ${summary.unchanged} unchanged, ${summary.failed} failed`,
    `${summary.servicesConverted} service${summary.servicesConverted === 1 ? '' : 's'} converted`,
  ];
  const kinds = Object.entries(summary.warnings).sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = [`ro-convert: ${parts.join('; ')}`];
  for (const where of summary.writable) lines.push(`${where}: not read-only (read_only is left to a variable)`);
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
