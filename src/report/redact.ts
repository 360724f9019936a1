/** Names that look secret: a case-insensitive substring PASSWORD, SECRET, TOKEN or KEY. */
export const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY/i;
const MASK = '***';
/** A name followed by `=` (list form `NAME=value`) or `:` and a space (mapping form). */
const NAME_THEN_VALUE = /([A-Za-z_][A-Za-z0-9_.-]*)(["']?)(=|:(?=[ \t]))/g;

/**
 * Masks the values of secret-looking variables in a unified diff (`--redact`, for CI logs):
 * context, added and removed lines, in list form (`- DB_PASSWORD=x`, quoted or not), mapping
 * form (`DB_PASSWORD: x`, quoted keys and values) and flow form (`[A_TOKEN=x]`, `{KEY: x}`).
 * Headers, hunk lines, names, quotes and comments are kept; only value characters become `***`.
 * Pure: the same text in, the same text out.
 */
export function redactDiff(patch: string): string {
  return patch
    .split('\n')
    .map((line) => (/^[ +-]/.test(line) && !/^(---|\+\+\+) [ab]\//.test(line) ? line[0] + redactLine(line.slice(1)) : line))
    .join('\n');
}

/** Masks the secret values of one line of YAML text. */
export function redactLine(text: string): string {
  let out = '';
  let from = 0;
  NAME_THEN_VALUE.lastIndex = 0;
  for (let match = NAME_THEN_VALUE.exec(text); match; match = NAME_THEN_VALUE.exec(text)) {
    const [whole, name, closeQuote, separator] = match as unknown as [string, string, string, string];
    const start = match.index;
    const before = start === 0 ? '' : text[start - 1]!;
    if (start < from || !SECRET_NAME.test(name) || (before !== '' && !/[\s\-[{,"']/.test(before))) continue;
    if (closeQuote && closeQuote !== before) continue; // a quote after the name must close one before it
    let valueStart = start + whole.length;
    if (separator !== '=') while (text[valueStart] === ' ' || text[valueStart] === '\t') valueStart++;
    const valueEnd = endOfValue(text, valueStart, separator === '=' && (before === '"' || before === "'") ? before : null, inFlow(text, start));
    const quoted = text[valueStart] === '"' || text[valueStart] === "'";
    const [maskFrom, maskTo] = quoted ? [valueStart + 1, valueEnd - 1] : [valueStart, valueEnd];
    if (maskTo > maskFrom) {
      out += text.slice(from, maskFrom) + MASK;
      from = maskTo;
    }
    NAME_THEN_VALUE.lastIndex = Math.max(valueEnd, start + whole.length);
  }
  return out + text.slice(from);
}

/** Whether `at` is inside a flow collection opened earlier on the line (outside quotes). */
function inFlow(text: string, at: number): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < at; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return depth > 0;
}

/** The end (exclusive) of the value starting at `start`. */
function endOfValue(text: string, start: number, enclosingQuote: string | null, flow: boolean): number {
  if (enclosingQuote) {
    const close = text.indexOf(enclosingQuote, start);
    return close < 0 ? trimmedEnd(text, start) : close;
  }
  const first = text[start];
  if (first === '"' || first === "'") {
    for (let i = start + 1; i < text.length; i++) {
      if (first === '"' && text[i] === '\\') i++;
      else if (text[i] === first) {
        if (first === "'" && text[i + 1] === "'") i++;
        else return i + 1;
      }
    }
    return trimmedEnd(text, start);
  }
  let end = start;
  for (; end < text.length; end++) {
    const c = text[end]!;
    if (flow && (c === ',' || c === ']' || c === '}')) break;
    if (c === '#' && /\s/.test(text[end - 1] ?? '')) break;
    if (c === '\r') break;
  }
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function trimmedEnd(text: string, start: number): number {
  let end = text.length;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}
