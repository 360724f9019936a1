import { interpolate } from './interpolate.js';

/** One variable an env file sets, with the 1-based line that sets it. */
export interface EnvFileEntry {
  name: string;
  /** The value after quotes and interpolation; null for a bare `KEY` whose value the shell gives and does not. */
  value: string | null;
  line: number;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:([=:])\s?(.*))?$/;
const LINE_BREAK = /\r\n|\n|\r/;

/**
 * The variables of an env file (`.env` or an `env_file:`) as Compose reads them: `KEY=value`,
 * `export KEY=value`, `KEY: value`, a bare `KEY` (taken from `environment`), `#` comments,
 * single quotes literal, double quotes with escapes, `${VAR}` interpolated in unquoted and
 * double-quoted values (earlier lines of the file first, then `environment`). A later line of a
 * name wins. Multi-line quoted values are read up to their closing quote.
 */
export function parseEnvFile(text: string, environment: Readonly<Record<string, string>> = {}): EnvFileEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(LINE_BREAK);
  const found = new Map<string, EnvFileEntry>();
  const lookup = (name: string) => found.get(name)?.value ?? environment[name];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) continue;
    const [, name, separator, rest] = match as unknown as [string, string, string | undefined, string | undefined];
    const at = i + 1;
    let value: string | null;
    if (separator === undefined) {
      value = environment[name] ?? null;
    } else {
      let raw = rest ?? '';
      const quote = raw[0];
      if (quote === '"' || quote === "'") {
        // A quoted value may run over several lines, up to its closing quote.
        while (!closes(raw, quote) && i + 1 < lines.length) raw += `\n${lines[++i]}`;
        const body = raw.slice(1, closingQuote(raw, quote));
        value = quote === "'" ? body : interpolate(unescape(body), lookup);
      } else {
        value = interpolate(raw.replace(/\s+#.*$/, '').trim(), lookup);
      }
    }
    found.delete(name);
    found.set(name, { name, value, line: at });
  }
  return [...found.values()];
}

function closingQuote(raw: string, quote: string): number {
  for (let i = 1; i < raw.length; i++) {
    if (quote === '"' && raw[i] === '\\') i++;
    else if (raw[i] === quote) return i;
  }
  return -1;
}

function closes(raw: string, quote: string): boolean {
  return closingQuote(raw, quote) > 0;
}

function unescape(body: string): string {
  return body.replace(/\\([nrt"\\$])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

/**
 * The env file's text without the lines that set `names` (every line of such a variable, with
 * its line break; a multi-line quoted value as a whole). Comments, blank lines, quoting and line
 * endings of every other line are kept byte for byte.
 */
export function removeEnvLines(text: string, names: ReadonlySet<string>): string {
  // The lines each removed entry spans: from the line that names it to its last line.
  const pieces = text.split(/(\r\n|\n|\r)/);
  const drop = new Set<number>();
  const lines = text.replace(/^\uFEFF/, '').split(LINE_BREAK);
  for (let i = 0; i < lines.length; i++) {
    const match = ASSIGNMENT.exec(lines[i]!);
    if (!match || /^\s*#/.test(lines[i]!) || !names.has(match[1]!)) continue;
    let last = i;
    const rest = match[3] ?? '';
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      let raw = rest;
      while (!closes(raw, quote) && last + 1 < lines.length) raw += `\n${lines[++last]}`;
    }
    for (let k = i; k <= last; k++) drop.add(k);
    i = last;
  }
  if (drop.size === 0) return text;
  let out = '';
  for (let k = 0; k * 2 < pieces.length; k++) {
    if (drop.has(k)) continue;
    out += pieces[k * 2]! + (pieces[k * 2 + 1] ?? '');
  }
  // A dropped last line leaves the line break of the line before it: kept, as the file had one there.
  return text.startsWith('\uFEFF') && !out.startsWith('\uFEFF') ? `\uFEFF${out}` : out;
}
