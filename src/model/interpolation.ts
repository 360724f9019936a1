/**
 * Compose interpolates a value before it reads it as a mount (compose-go's `template` package):
 * `${VAR:-default}` and `${VAR-default}` give the default when VAR is unset, `$$` is a `$`.
 * A conversion reads the variables Compose would (the shell's environment over the project's
 * `.env`) when its caller gives them (see {@link withVariables}); a variable it is not given is
 * unset: a default is the path, and without one (`${VAR}`, `$VAR`, `${VAR:?err}`, `${VAR:+alt}`)
 * the path is unknown.
 */

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^{}$]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
/** Marks an unknown variable while the text is read; U+E000 is a private-use character no path holds. */
const UNKNOWN = '\uE000';

/**
 * The variables of the conversion under way. Mount paths are read at every step of one
 * synchronous conversion, planning and verifying (tmpfsPath and its callers): they all read the
 * same values, set for the length of the call by {@link withVariables}.
 */
let variables: ReadonlyMap<string, string> = new Map();

/** Runs `read` (one conversion) with mount paths interpolated with `values`; none: every variable unset. */
export function withVariables<T>(values: Readonly<Record<string, string>> | undefined, read: () => T): T {
  const outer = variables;
  variables = new Map(Object.entries(values ?? {}));
  try {
    return read();
  } finally {
    variables = outer;
  }
}

/** The text a variable stands for, as compose-go's template substitutes it; UNKNOWN where it depends on a value not given. */
function substitute(name: string, colon: string, operator: string | undefined, word: string | undefined): string {
  const value = variables.get(name);
  // `${VAR:-x}`, `${VAR:?x}` and `${VAR:+x}` treat an empty value as unset; without the colon only unset counts.
  const given = value !== undefined && (colon === '' || value !== '');
  if (operator === '-') return given ? literal(value) : (word ?? '');
  if (operator === '+') return given ? (word ?? '') : value !== undefined ? '' : UNKNOWN;
  return value !== undefined && (operator !== '?' || given) ? literal(value) : UNKNOWN;
}

/** A variable's value kept out of the way of later passes: its `$` is literal. */
function literal(value: string): string {
  return value.replaceAll('$', '\uE001');
}

/**
 * `value` interpolated: a given variable's value, else its default, an unknown variable as
 * U+E000 (see {@link isUnknownPath}). Nested defaults (`${A:-${B:-/x}}`) are read innermost first.
 */
function readInterpolated(value: string): string {
  if (!value.includes('$')) return value;
  // `$$` is a literal `$`: kept out of the way of the variables around it.
  let text = value.replaceAll('$$', '\uE001');
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(VARIABLE, (_match, braced: string | undefined, colon: string | undefined, operator: string | undefined, word: string | undefined, bare: string | undefined) => substitute((braced ?? bare)!, colon ?? '', operator, word));
  }
  return text.replaceAll('\uE001', '$');
}

/** `value` as Compose reads it: values and defaults in place; with an unknown variable, left as written. */
export function interpolatedText(value: string): string {
  const read = readInterpolated(value);
  return read.includes(UNKNOWN) ? value : read;
}

/** Whether a (mount) value holds a variable not given and without a default: where it points is known only at run time. */
export function isUnknownPath(value: string): boolean {
  return readInterpolated(value).includes(UNKNOWN);
}

/**
 * Whether an unknown mount target (see {@link isUnknownPath}) may be `path` or a folder above it
 * at run time: each unknown variable may be any text (`${DIR}/cache` may be `/var/cache`).
 */
export function mayCover(target: string, path: string): boolean {
  const parts = readInterpolated(target).split(UNKNOWN).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}(/.*)?$`, 's').test(path);
}
