/**
 * Compose's interpolation of `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?err}`, `${VAR?err}` and `$$` (a literal `$`), with
 * nested `${…}` in defaults. An unset variable without a default is the empty string, as
 * Compose substitutes it (with a warning of its own).
 */
export function interpolate(text: string, lookup: (name: string) => string | null | undefined): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) {
        out += text.slice(i);
        break;
      }
      out += substitute(text.slice(i + 2, end), lookup);
      i = end + 1;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (name) {
        out += lookup(name) ?? '';
        i += 1 + name.length;
      } else {
        out += c;
        i++;
      }
    }
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function substitute(body: string, lookup: (name: string) => string | null | undefined): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body);
  if (!match) return '';
  const [, name, operator, argument = ''] = match as unknown as [string, string, string | undefined, string | undefined];
  const value = lookup(name);
  const set = value !== undefined && value !== null;
  const nonEmpty = set && value !== '';
  switch (operator) {
    case ':-':
      return nonEmpty ? value : interpolate(argument, lookup);
    case '-':
      return set ? value : interpolate(argument, lookup);
    case ':+':
      return nonEmpty ? interpolate(argument, lookup) : '';
    case '+':
      return set ? interpolate(argument, lookup) : '';
    default:
      return value ?? '';
  }
}
