// `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
// on the pull request's files (`::warning file=…,line=…,title=…::message`).
import { escapeControl } from './escape.js';
import { fileFindings, workspacePath } from './findings.js';
import type { FindingLevel } from './findings.js';
import type { FileReport } from './report.js';

const COMMAND: Record<FindingLevel, string> = { error: 'error', warning: 'warning', note: 'notice' };

/**
 * A workflow command's message, escaped as the runner reads it (`%`, CR and LF), and its other
 * control characters as `\xHH` (a file name can hold them; the log must not act on them).
 */
export function escapeData(text: string): string {
  return escapeControl(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** A workflow command's property value: as {@link escapeData}, and `:` and `,` too. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line: `::name key=value,…::message`. */
function command(name: string, properties: Record<string, string | number | null | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/**
 * A file's annotations: a refusal as `::error`, then one per finding (a service that needs
 * changes is an `::error` under `--check`, where it fails the job). Files are named relative to
 * `cwd` (the workspace); a file outside it, or standard input, is named in the message instead.
 */
export function fileAnnotations(report: FileReport, mode: 'preview' | 'write' | 'check', cwd: string): string[] {
  const file = workspacePath(report.path, cwd);
  const named = (message: string) => (file === null ? `${report.path === '-' ? 'standard input' : report.path}: ${message}` : message);
  const at = (line: number | null, col: number | null) => (file === null ? {} : { file, line, col: line === null ? null : col });
  const lines: string[] = [];
  if (report.error) {
    const { line, column, message } = report.error;
    lines.push(command('error', { ...at(line, column), title: 'ro-convert: cannot convert' }, named(message)));
  }
  for (const finding of fileFindings(report, mode)) {
    lines.push(command(COMMAND[finding.level], { ...at(finding.line, finding.column), title: `ro-convert: ${finding.rule.title}` }, named(finding.message)));
  }
  return lines;
}

/** A diff folded into a collapsible group of the job's log. */
export function groupedDiff(path: string, diff: string): string {
  return `::group::${escapeData(`ro-convert diff: ${path}`)}\n${diff}${diff.endsWith('\n') ? '' : '\n'}::endgroup::\n`;
}
