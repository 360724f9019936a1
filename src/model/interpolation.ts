/**
 * Compose interpolates a value before it reads it as a mount (compose-go's `template` package):
 * `${VAR:-default}` and `${VAR-default}` give the default when VAR is unset, `$$` is a `$`.
 * A conversion reads the file without its environment, so a default is the path; a variable
 * without one (`${VAR}`, `$VAR`, `${VAR:?err}`, `${VAR:+alt}`) is unknown.
 */

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^{}$]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
/** Marks an unknown variable while the text is read; U+E000 is a private-use character no path holds. */
const UNKNOWN = '\uE000';

/**
 * `value` with every variable read as unset: a default in its place, an unknown variable as
 * U+E000 (see {@link isUnknownPath}). Nested defaults (`${A:-${B:-/x}}`) are read innermost first.
 */
function readUnset(value: string): string {
  if (!value.includes('$')) return value;
  // `$$` is a literal `$`: kept out of the way of the variables around it.
  let text = value.replaceAll('$$', '\uE001');
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(VARIABLE, (_match, _name: string | undefined, _colon: string, operator: string | undefined, word: string | undefined) => (operator === '-' ? (word ?? '') : UNKNOWN));
  }
  return text.replaceAll('\uE001', '$');
}

/** `value` as Compose reads it with its variables unset: defaults in place; unknown ones left as written. */
export function interpolatedText(value: string): string {
  const read = readUnset(value);
  return read.includes(UNKNOWN) ? value : read;
}

/** Whether a (mount) value holds a variable without a default: where it points is known only at run time. */
export function isUnknownPath(value: string): boolean {
  return readUnset(value).includes(UNKNOWN);
}

/**
 * Whether an unknown mount target (see {@link isUnknownPath}) may be `path` or a folder above it
 * at run time: each unknown variable may be any text (`${DIR}/cache` may be `/var/cache`).
 */
export function mayCover(target: string, path: string): boolean {
  const parts = readUnset(target).split(UNKNOWN).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}(/.*)?$`, 's').test(path);
}
