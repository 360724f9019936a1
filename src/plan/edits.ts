import type { Node } from 'yaml';

/**
 * One replacement of source text: the characters in [start, end) become `text`.
 * `target` is the YAML node whose content the edit changes; the engine uses it to
 * refuse edits to nodes that are shared (anchors, aliases, merge keys).
 */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
  target: Node;
  /** For insertions: text between this and another insertion at the same point into the same node (`, ` in an empty flow map). */
  separator?: string;
  /**
   * For a removal of the last lines of a file without a final newline: the length of the line
   * break before them that it removes too (so the file still ends without one).
   */
  breakBefore?: number;
}

/** Thrown when two edits overlap: a bug in a transform, never the user's input. */
export class EditConflictError extends Error {}

/** One region of the input replaced in the output: input offsets [start, end) become `text`. */
export interface Replacement {
  start: number;
  end: number;
  text: string;
}

/**
 * The edits as the replacements they make, in source order, none overlapping. Identical edits
 * (two services sharing one node, both selected) collapse to one. Insertions at the same point
 * go innermost first (an item appended to a service's last list precedes a key added to the
 * service), then in the order given. Any other overlap is an {@link EditConflictError}.
 */
export function resolveEdits(edits: readonly TextEdit[]): Replacement[] {
  const seen = new Set<string>();
  const unique = edits.filter((edit) => {
    const key = `${edit.start}:${edit.end}:${edit.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const ordered = unique
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || nodeStart(b.edit) - nodeStart(a.edit) || a.index - b.index)
    .map(({ edit }) => edit);
  const replacements: Replacement[] = [];
  let cursor = 0;
  let previous: TextEdit | null = null;
  for (const edit of ordered) {
    const last = replacements[replacements.length - 1];
    // Two deletions that overlap delete their union (a removal at the end of a file without a
    // final newline takes the line break before it, which a removal just above also ends with).
    if (last && edit.start < cursor && edit.text === '' && previous?.text === '' && last.text === '' && last.end === cursor) {
      // The line break the later one took is inside the earlier one: the union takes the one before it.
      const before = replacements[replacements.length - 2];
      const shift = edit.breakBefore ?? 0;
      if (shift && last.start >= shift && (!before || before.end <= last.start - shift)) last.start -= shift;
      last.end = Math.max(last.end, edit.end);
      cursor = last.end;
      previous = edit;
      continue;
    }
    if (edit.start < cursor) {
      throw new EditConflictError(`edits overlap at offsets ${previous?.start}-${previous?.end} and ${edit.start}-${edit.end}`);
    }
    const joined = previous && edit.separator !== undefined && previous.start === edit.start && previous.end === edit.start && edit.start === edit.end && previous.target === edit.target;
    // Insertions at one point are one replacement: a patch or a SARIF fix sees a single region.
    if (last && last.start === edit.start && last.end === edit.start) {
      last.text += (joined ? edit.separator! : '') + edit.text;
      last.end = edit.end;
    } else {
      replacements.push({ start: edit.start, end: edit.end, text: edit.text });
    }
    cursor = edit.end;
    previous = edit;
  }
  return replacements;
}

/** The text with the replacements made (they are in source order and do not overlap). */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
  const parts: string[] = [];
  let cursor = 0;
  for (const r of replacements) {
    parts.push(text.slice(cursor, r.start), r.text);
    cursor = r.end;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/** Whether the replacements change the text: some replacement differs from what it replaces (they do not overlap). */
export function changesText(text: string, replacements: readonly Replacement[]): boolean {
  return replacements.some((r) => r.text !== text.slice(r.start, r.end));
}

/** Applies edits in one pass (see {@link resolveEdits} for order and conflicts). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return applyReplacements(text, resolveEdits(edits));
}

const nodeStart = (edit: TextEdit) => edit.target.range?.[0] ?? 0;
