/**
 * Helpers for the SARIF tests: a validator for the SARIF 2.1.0 JSON schema, and two
 * independent ways of applying a log's fixes to a text (by character offsets, and by lines
 * and columns), as a code-scanning consumer would.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type * as Sarif from 'sarif';

const require = createRequire(import.meta.url);
// CommonJS packages: their `default` export is the class and the plugin.
const Ajv = (require('ajv-draft-04') as typeof import('ajv-draft-04')).default;
const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;

/**
 * The SARIF 2.1.0 schema as Microsoft's SARIF SDK publishes it (2.1.0-rtm.5, JSON Schema
 * draft-04). It differs from the OASIS file only where ro-convert writes nothing: the errata's
 * `suppression.state` (rtm.5: `status`) and a language-tag pattern.
 */
const SCHEMA_PATH = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

let compiled: ValidateFunction | null = null;

/** The schema errors of `log`, as readable lines; empty when it is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  let validate = compiled;
  if (!validate) {
    // Without the u flag: rtm.5's language-tag pattern has a stray `]` (fixed in the errata),
    // which a unicode regular expression rejects.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validate = compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** Every replacement of every fix in the log, for one artifact URI. */
export function fixReplacements(log: Sarif.Log, uri: string): Sarif.Replacement[] {
  return (log.runs[0]!.results ?? []).flatMap((result) =>
    (result.fixes ?? []).flatMap((fix) => fix.artifactChanges.filter((change) => change.artifactLocation.uri === uri).flatMap((change) => change.replacements)),
  );
}

const BOM = '\ufeff';

/** Applies [start, end) → text edits given as offsets into `text`; they must not overlap. */
function applySpans(text: string, spans: { start: number; end: number; text: string }[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const span of sorted) {
    if (span.start < cursor) throw new Error(`fixes overlap at ${span.start}`);
    out += text.slice(cursor, span.start) + span.text;
    cursor = span.end;
  }
  return out + text.slice(cursor);
}

/**
 * Applies replacements by `charOffset`/`charLength` (UTF-16 code units, `columnKind`
 * utf16CodeUnits), counted after a byte order mark, which stays.
 */
export function applyByOffsets(input: string, replacements: readonly Sarif.Replacement[]): string {
  const bom = input.startsWith(BOM) ? BOM : '';
  const body = input.slice(bom.length);
  return bom + applySpans(body, replacements.map((r) => ({ start: r.deletedRegion.charOffset!, end: r.deletedRegion.charOffset! + r.deletedRegion.charLength!, text: r.insertedContent?.text ?? '' })));
}

/**
 * Applies replacements by 1-based lines and columns: lines end after LF; `endLine` is the line of
 * the region's last character, `endColumn` the column after it; line 1 starts after a BOM.
 */
export function applyByLines(input: string, replacements: readonly Sarif.Replacement[]): string {
  const bom = input.startsWith(BOM) ? BOM : '';
  const body = input.slice(bom.length);
  const lineStarts = [0];
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const offset = (line: number, column: number) => {
    if (line < 1 || line > lineStarts.length || column < 1) throw new Error(`no position ${line}:${column}`);
    return lineStarts[line - 1]! + column - 1;
  };
  return (
    bom +
    applySpans(
      body,
      replacements.map(({ deletedRegion: r, insertedContent }) => ({ start: offset(r.startLine!, r.startColumn!), end: offset(r.endLine!, r.endColumn!), text: insertedContent?.text ?? '' })),
    )
  );
}
