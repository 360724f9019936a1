// `--format sarif`: a SARIF 2.1.0 log for code scanning, each service's finding carrying the
// engine's own edits as a suggested fix.
//
// Regions: `columnKind` is utf16CodeUnits, so columns, `charOffset` and `charLength` count
// UTF-16 code units, as JavaScript strings do. A leading byte order mark is encoding, not text:
// it is not counted (offsets and line 1's columns start after it). Lines end at LF (or CRLF,
// whose CR is then the line's last character), as in YAML; ro-convert refuses lone CRs.
// Lines and columns are 1-based; `endLine` is the line of the region's last character and
// `endColumn` the column after it, and an insertion is an empty region (end = start). Deleted
// regions give both forms (offsets and lines), which name the same characters.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type * as Sarif from 'sarif';
import { createLayout } from '../parse/layout.js';
import type { Layout } from '../parse/layout.js';
import type { Replacement } from '../plan/edits.js';
import { fileFindings, RULES, workspacePath } from './findings.js';
import type { Finding } from './findings.js';
import type { FileReport } from './report.js';

/** The base that relative artifact URIs resolve against: the directory ro-convert ran in. */
export const SARIF_URI_BASE = '%SRCROOT%';

/** One converted file, as the SARIF log needs it. */
export interface SarifFile {
  report: FileReport;
  /** The input text; null when it was not read (the file failed). */
  input: string | null;
  /** The replacements that convert `input`; null when there are none to offer. */
  replacements: readonly Replacement[] | null;
}

/** How the run went and where it ran. */
export interface SarifOptions {
  mode: 'preview' | 'write' | 'check';
  /** The working directory: artifact URIs are relative to it. */
  cwd: string;
  /** ro-convert's version, for `tool.driver`. */
  version: string;
}

/**
 * The SARIF log of a run: one result per finding (see {@link fileFindings}); a service's result
 * carries as its fix the replacements that lie in the service's block, so that the fixes of all
 * results, applied together, give exactly what `--write` writes (no fixes for a file `--write`
 * has already written: its regions are gone). Files that failed become
 * tool execution notifications (and `executionSuccessful: false`).
 */
export function sarifLog(files: readonly SarifFile[], options: SarifOptions): Sarif.Log {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.id, index]));
  const results: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  for (const file of files) {
    const artifact = artifactLocation(file.report.path, options.cwd);
    const error = file.report.error;
    if (error) {
      const region = error.line !== null ? lineRegion(error.line, error.column) : undefined;
      notifications.push({
        level: 'error',
        message: { text: error.message },
        descriptor: { id: error.code },
        locations: [{ physicalLocation: { artifactLocation: artifact, ...(region ? { region } : {}) } }],
      });
    }
    const findings = fileFindings(file.report, options.mode);
    const { input, replacements: edits } = file;
    // A written file no longer holds the regions the fixes name.
    const fixes = input !== null && edits?.length && !file.report.written ? fixesByFinding(input, edits, findings) : new Map<Finding, Sarif.Replacement[]>();
    for (const finding of findings) results.push(sarifResult(finding, ruleIndex.get(finding.rule.id)!, artifact, fixes.get(finding) ?? []));
  }
  return {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ro-convert',
            version: options.version,
            semanticVersion: options.version,
            rules: RULES.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.description },
              help: { text: rule.help },
              defaultConfiguration: { level: rule.level },
            })),
          },
        },
        // No absolute URI: the log names files the same on every machine.
        originalUriBaseIds: { [SARIF_URI_BASE]: { description: { text: 'The directory ro-convert ran in (file paths are relative to it).' } } },
        columnKind: 'utf16CodeUnits',
        invocations: [{ executionSuccessful: notifications.length === 0, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        results,
      },
    ],
  };
}

/** One finding as a SARIF result: at the service (or the warning's line), with its fix if any. */
function sarifResult(finding: Finding, ruleIndex: number, artifact: Sarif.ArtifactLocation, replacements: Sarif.Replacement[]): Sarif.Result {
  const region = lineRegion(finding.line, finding.column);
  const result: Sarif.Result = {
    ruleId: finding.rule.id,
    ruleIndex,
    level: finding.level,
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: { artifactLocation: artifact, region },
        logicalLocations: [{ name: finding.service, fullyQualifiedName: `services.${finding.service}`, kind: 'object' }],
      },
    ],
  };
  if (finding.changes.length) {
    result.relatedLocations = finding.changes.map((change, index) => ({
      id: index + 1,
      physicalLocation: { artifactLocation: artifact, region: { startLine: change.line } },
      message: { text: change.message },
    }));
  }
  if (replacements.length) {
    const description = { text: `ro-convert --write: ${finding.changes.map((c) => c.message).join('; ')}` };
    result.fixes = [{ description, artifactChanges: [{ artifactLocation: artifact, replacements }] }];
  }
  return result;
}

/** A region from a line (and a column): to the end of that line. */
function lineRegion(line: number, column: number | null): Sarif.Region {
  return column === null ? { startLine: line } : { startLine: line, startColumn: column };
}

/** Where a file is: relative to the base when under it, else an absolute `file:` URI. */
function artifactLocation(path: string, cwd: string): Sarif.ArtifactLocation {
  if (path === '-') return { description: { text: 'standard input' } };
  const inside = workspacePath(path, cwd);
  if (inside === null) return { uri: pathToFileURL(resolve(cwd, path)).href };
  return { uri: inside.split('/').map(encodeURIComponent).join('/'), uriBaseId: SARIF_URI_BASE };
}

/**
 * Each service finding's share of the replacements: those at or after its service's key and
 * before the next changing service's key. One before every key (in a block defined above the
 * services and shared through an anchor) goes to the first changing service.
 */
function fixesByFinding(input: string, replacements: readonly Replacement[], findings: readonly Finding[]): Map<Finding, Sarif.Replacement[]> {
  const layout = createLayout(input);
  const owners = findings.filter((f) => f.changes.length > 0);
  const fixes = new Map<Finding, Sarif.Replacement[]>(owners.map((f) => [f, []]));
  if (owners.length === 0) return fixes;
  for (const replacement of replacements) {
    const at = layout.position(replacement.start);
    const after = owners.filter((f) => f.line < at.line || (f.line === at.line && (f.column ?? 1) <= at.column));
    fixes.get(after.at(-1) ?? owners[0]!)!.push(sarifReplacement(layout, replacement));
  }
  return fixes;
}

/** A replacement as SARIF's deleted region and inserted content. */
function sarifReplacement(layout: Layout, { start, end, text }: Replacement): Sarif.Replacement {
  const bom = layout.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const from = layout.position(start);
  const last = end > start ? layout.position(end - 1) : null;
  return {
    deletedRegion: {
      charOffset: start - bom,
      charLength: end - start,
      startLine: from.line,
      startColumn: from.column,
      endLine: last ? last.line : from.line,
      endColumn: last ? last.column + 1 : from.column,
    },
    insertedContent: { text },
  };
}
