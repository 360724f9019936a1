// `--format markdown`: a report to paste as the body of a pull request (a bulk migration opens
// one per repository): per file, the services converted, the warnings as a checklist for the
// reviewer, and the diff folded in a <details> block. Pure text in, text out: no Node imports.
import type { FileReport, Summary } from './report.js';

/** One file as the markdown report sees it: its report and its (already redacted) diff. */
export interface MarkdownFile {
  report: FileReport;
  diff: string | null;
}

/** LinuxServer's page on what read-only changes, for the reviewer. */
const READ_ONLY_DOCS = 'https://docs.linuxserver.io/misc/read-only/';

/**
 * The whole report: a paragraph of totals, then one section per file that changed, failed or
 * has warnings (files with nothing to say are only counted). `mode` picks the tense: a written
 * run says what was converted, a preview or `--check` what would be.
 */
export function markdownReport(files: readonly MarkdownFile[], summary: Summary, mode: 'preview' | 'write' | 'check'): string {
  const sections = files.filter(({ report }) => report.status !== 'unchanged' || report.services.some((s) => s.warnings.length)).map((file) => fileSection(file, mode));
  return [intro(summary, mode), ...sections].join('\n');
}

function intro(summary: Summary, mode: 'preview' | 'write' | 'check'): string {
  const verb = mode === 'write' ? 'converted' : 'would convert';
  const services = count(summary.servicesConverted, 'service');
  const files = count(summary.changed, 'file');
  const sentences = [`ro-convert ${verb} ${services} in ${files} to read-only containers ([LinuxServer.io: Running Containers Read-Only](${READ_ONLY_DOCS})).`];
  if (summary.failed) sentences.push(`${count(summary.failed, 'file')} could not be converted.`);
  const warnings = Object.values(summary.warnings).reduce((sum, n) => sum + n, 0);
  if (warnings) sentences.push(`Check the ${count(warnings, 'warning')} below before merging.`);
  return `${sentences.join(' ')}\n`;
}

function fileSection({ report, diff }: MarkdownFile, mode: 'preview' | 'write' | 'check'): string {
  const lines = [`### ${code(report.path)}`, ''];
  if (report.error) {
    const where = report.error.line === null ? '' : ` (line ${report.error.line})`;
    lines.push(`**Not converted**${where}: ${inline(report.error.message)}`, '');
  }
  // A refused file converts nothing: its services are neither converted nor already read-only.
  const services = report.error ? [] : report.services;
  const names = (filter: (s: FileReport['services'][number]) => boolean) => services.filter(filter).map((s) => code(s.name)).join(', ');
  const converted = names((s) => s.changes.length > 0);
  const already = names((s) => !s.changes.length && s.readOnly);
  const writable = names((s) => !s.readOnly);
  if (converted) lines.push(`${mode === 'write' ? 'Converted' : 'To convert'}: ${converted}`, '');
  if (already) lines.push(`Already read-only: ${already}`, '');
  if (writable) lines.push(`Still writable in Compose's view (see the warnings): ${writable}`, '');
  if (report.skippedUntested.length) lines.push(`Left writable, not tested read-only by LinuxServer: ${report.skippedUntested.map(code).join(', ')}`, '');
  const warnings = report.services.flatMap((s) => s.warnings.map((w) => `- [ ] ${code(s.name)}${w.line === null ? '' : ` line ${w.line}`}: ${inline(w.message)} (${code(w.code)})`));
  if (warnings.length) lines.push('Warnings to check:', '', ...warnings, '');
  if (diff) lines.push('<details>', `<summary>Diff of ${escapeHtml(report.path)} (${diffStat(diff)})</summary>`, '', ...fenced('diff', diff), '', '</details>', '');
  return lines.join('\n');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `+added -removed` lines of a unified diff (headers not counted). */
function diffStat(diff: string): string {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++ ')) added++;
    else if (line.startsWith('-') && !line.startsWith('--- ')) removed++;
  }
  return `+${added} -${removed}`;
}

/** The longest run of backticks in a text. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** A code span that holds any text: its fence is longer than every backtick run inside. */
function code(text: string): string {
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced block that no line of `text` can close (the fence outruns its backticks). */
function fenced(info: string, text: string): string[] {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return [`${fence}${info}`, ...text.replace(/\n$/, '').split('\n'), fence];
}

/**
 * A message as markdown text: its backtick spans kept as code, the punctuation markdown or HTML
 * would read elsewhere escaped, so `*arr` or `<none>` show as written (`_` only at a word's
 * edge: inside a word, as in DOCKER_MODS, it never marks emphasis).
 */
function inline(message: string): string {
  return message
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\*[\]<>&~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\$&')))
    .join('');
}

/** Text inside an HTML element (the <summary>): markdown is not read there. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
