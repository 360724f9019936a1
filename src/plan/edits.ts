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
}

/** Thrown when two edits overlap: a bug in a transform, never the user's input. */
export class EditConflictError extends Error {}

/**
 * Applies edits in one pass, in source order. Identical edits (two services sharing
 * one node, both selected) collapse to one. Insertions at the same point go innermost
 * first (an item appended to a service's last list precedes a key added to the service),
 * then in the order given. Any other overlap is an {@link EditConflictError}.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
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
  const parts: string[] = [];
  let cursor = 0;
  let previous: TextEdit | null = null;
  for (const edit of ordered) {
    if (edit.start < cursor) {
      throw new EditConflictError(`edits overlap at offsets ${previous?.start}-${previous?.end} and ${edit.start}-${edit.end}`);
    }
    const joined = previous && edit.separator !== undefined && previous.start === edit.start && previous.end === edit.start && edit.start === edit.end && previous.target === edit.target;
    parts.push(text.slice(cursor, edit.start), joined ? edit.separator! : '', edit.text);
    cursor = edit.end;
    previous = edit;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

const nodeStart = (edit: TextEdit) => edit.target.range?.[0] ?? 0;
