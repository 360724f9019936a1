// Text that came from outside (a container's log, a path from `docker diff`, the engine's own
// messages) is data: printed raw, its control characters would drive the terminal (set the
// window title, erase lines) or forge lines of a CI log.

// C0 (tab and newline included: a field is one line), DEL and C1.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** The text with every C0, DEL and C1 control character written as `\xHH`. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Whether the text holds a C0, DEL or C1 control character. */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/**
 * A JSON text with DEL and C1 written as `\u00XX` as well (JSON.stringify escapes only C0):
 * the same data for a parser, nothing a terminal acts on.
 */
export function escapeJsonControl(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes control characters line by line (the line breaks are the text's own). */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}
