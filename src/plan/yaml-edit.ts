import { isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import type { Alias, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { TextEdit } from './edits.js';
import type { Layout } from '../parse/layout.js';
import { contentEnd } from '../parse/yaml-nodes.js';
import { tagStart } from '../parse/compose-tags.js';

/**
 * Text-edit builders for the few structural changes ro-convert makes. They read the
 * surrounding source so that new text takes the file's indentation, sequence style and
 * line ending; transforms describe *what* to add or remove, these decide *where* and *how*.
 */

/** A new key for a block or flow map: block lines below `key:` are given relative to the key. */
export interface NewEntry {
  key: string;
  /** Scalar text after `key: `, or null for a block value given by `items`. */
  value: string | null;
  /** Block sequence items (already-formatted scalar texts) under the key. */
  items?: readonly string[];
  /** Block mapping entries (already-formatted `KEY: value` texts) under the key. */
  pairs?: readonly string[];
}

/** Indentation habit of the block around a map: how far `- ` items sit under their key. */
export interface BlockStyle {
  /** Spaces from a key to the `-` of its block sequence items (0 for unindented sequences). */
  sequenceIndent: number;
  /** Spaces from a key to the keys of its block mapping value. */
  mappingIndent: number;
}

const spaces = (n: number) => ' '.repeat(Math.max(0, n));

/**
 * Where to add lines after a block collection's last entry: the start of the line after its
 * content, moved past comment lines indented at least `minColumn` (they belong to this block;
 * less-indented comments belong to what follows).
 */
export function blockInsertionPoint(layout: Layout, node: Node, minColumn: number): number {
  const { text } = layout;
  let point = layout.nextLineStart(contentEnd(node, text));
  if (point === text.length && !text.endsWith('\n')) return point;
  let scan = point;
  while (scan < text.length) {
    const end = layout.lineEnd(scan);
    const line = text.slice(scan, end);
    const trimmed = line.trimStart();
    if (trimmed.startsWith('#') && line.length - trimmed.length >= minColumn) point = layout.nextLineStart(scan);
    else if (trimmed !== '') break;
    scan = layout.nextLineStart(scan);
    if (scan === end) break;
  }
  return point;
}

/** Joins new lines for insertion at `point`, keeping a missing final newline missing. */
function linesAt(layout: Layout, point: number, lines: readonly string[]): string {
  const { text, eol } = layout;
  if (point === text.length && text.length > 0 && !text.endsWith('\n')) return lines.map((l) => eol + l).join('');
  return lines.map((l) => l + eol).join('');
}

/** Adds entries at the end of a map (block or flow). */
export function addMapEntries(layout: Layout, map: YAMLMap, entries: readonly NewEntry[], style: BlockStyle): TextEdit {
  const { text } = layout;
  if (map.flow) {
    const parts = entries.map((e) => `${e.key}: ${e.value ?? (e.pairs ? `{${e.pairs.join(', ')}}` : `[${(e.items ?? []).join(', ')}]`)}`);
    if (map.items.length === 0) {
      const open = map.range![0] + 1;
      return { start: open, end: open, text: parts.join(', '), target: map, separator: ', ' };
    }
    const last = map.items[map.items.length - 1]!;
    const { at, pad } = afterFlowEntry((last.value as Node | null) ?? (last.key as Node), text);
    return { start: at, end: at, text: pad + parts.map((p) => `, ${p}`).join(''), target: map };
  }
  const keyColumn = keyColumnOf(layout, map.items[0]!);
  const lines: string[] = [];
  for (const entry of entries) {
    lines.push(`${spaces(keyColumn)}${entry.key}:${entry.value === null ? '' : ` ${entry.value}`}`);
    for (const item of entry.items ?? []) lines.push(`${spaces(keyColumn + style.sequenceIndent)}- ${item}`);
    for (const pair of entry.pairs ?? []) lines.push(`${spaces(keyColumn + style.mappingIndent)}${pair}`);
  }
  const point = blockInsertionPoint(layout, map, keyColumn);
  return { start: point, end: point, text: linesAt(layout, point, lines), target: map };
}

/**
 * Replaces a pair's value (an alias, a merged map…) with a collection of its own: a sequence of
 * `items`, or with `mapping` a map of `KEY: value` entries. An anchor, tag or comment before the
 * value stays: a block collection's items give way to block entries at its column; an alias on
 * the key's line to block entries below the key; anything else (or a flow map around) to a flow
 * collection in place. The target is the value: where others read it too, the planner refuses
 * the edit.
 */
export function replaceWithCollection(layout: Layout, owner: YAMLMap, pair: Pair, items: readonly string[], style: BlockStyle, mapping = false): TextEdit {
  const key = pair.key as Node;
  const value = pair.value as Node;
  const end = contentEnd(value, layout.text);
  const entry = (item: string) => (mapping ? item : `- ${item}`);
  const block = (isMap(value) || isSeq(value)) && !value.flow && value.items.length > 0;
  if (block && items.length > 0 && !owner.flow) {
    const indent = spaces(layout.column(value.range![0]));
    return { start: value.range![0], end, text: items.map(entry).join(`${layout.eol}${indent}`), target: value };
  }
  if (isAlias(value) && items.length > 0 && !owner.flow) {
    // A comment after the alias stays on the key's line.
    const indent = spaces(layout.column(key.range![0]) + (mapping ? style.mappingIndent : style.sequenceIndent));
    const lineEnd = layout.lineEnd(end);
    return { start: valueIndicator(layout, pair) ?? key.range![1], end: lineEnd, text: `:${layout.text.slice(end, lineEnd)}${items.map((item) => `${layout.eol}${indent}${entry(item)}`).join('')}`, target: owner };
  }
  const text = mapping ? `{${items.join(', ')}}` : `[${items.join(', ')}]`;
  return { start: value.range![0], end, text, target: isAlias(value) ? owner : value };
}

/**
 * The offset of the `:` that starts a pair's value: after the key on its line, or on a line of
 * its own after an explicit key (`? tmpfs` then `: /tmp`); null when there is none (`? tmpfs`
 * alone, `{tmpfs}`: the value is null).
 */
export function valueIndicator(layout: Layout, pair: Pair): number | null {
  const { text } = layout;
  for (let i = (pair.key as Node).range![1]; i < text.length; i++) {
    const c = text[i];
    if (c === ':') return i;
    if (c === '#') i = layout.lineEnd(i);
    else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') return null;
  }
  return null;
}

/** The `:` a pair without one needs before a value, inserted after its key: on a line of its own after an explicit block key. */
export function missingIndicator(layout: Layout, owner: YAMLMap, pair: Pair): string {
  return owner.flow ? ':' : `${layout.eol}${spaces(keyColumnOf(layout, pair))}:`;
}

/** The column a block map's keys start at: that of `?` for an explicit key (`? image`). */
function keyColumnOf(layout: Layout, pair: Pair): number {
  const start = (pair.key as Node).range![0];
  const before = layout.text.slice(layout.lineStart(start), start);
  const explicit = /\?\s*$/.exec(before);
  return layout.column(explicit ? start - (before.length - explicit.index) : start);
}

/** Appends items to a sequence (block or flow), in the style of its existing items. */
export function appendSequenceItems(layout: Layout, seq: YAMLSeq, items: readonly string[]): TextEdit {
  const { text } = layout;
  if (seq.flow) {
    if (seq.items.length === 0) {
      const open = seq.range![0] + 1;
      return { start: open, end: open, text: items.join(', '), target: seq, separator: ', ' };
    }
    const { at, pad } = afterFlowEntry(seq.items[seq.items.length - 1] as Node, text);
    return { start: at, end: at, text: pad + items.map((i) => `, ${i}`).join(''), target: seq };
  }
  const first = seq.items[0] as Node;
  const { dash, gap } = dashOf(layout, first);
  const point = blockInsertionPoint(layout, seq, dash);
  const lines = items.map((item) => `${spaces(dash)}-${gap}${item}`);
  return { start: point, end: point, text: linesAt(layout, point, lines), target: seq };
}

/**
 * Where new entries go after a flow collection's last entry: past its content. An empty node
 * with a tag or anchor (`[!!null ]`) ends with that property, which a `,` right after would
 * join (`!!null,`): a space goes first.
 */
function afterFlowEntry(node: Node, text: string): { at: number; pad: string } {
  const empty = node.range![0] === node.range![1] && (Boolean(node.tag) || Boolean(node.anchor));
  return { at: contentEnd(node, text), pad: empty ? ' ' : '' };
}

/** Column of a block sequence item's `-` and the spaces between it and the item. */
export function dashOf(layout: Layout, item: Node): { dash: number; gap: string } {
  const { text } = layout;
  const i = item.range![0];
  let lineStart = layout.lineStart(i);
  let dashAt = text.lastIndexOf('-', i - 1);
  // An item written below its `-` (`- # note`): the dash is on a line above.
  const above = dashAt < lineStart ? dashLineAbove(layout, lineStart) : null;
  if (above !== null) [lineStart, dashAt] = [above, text.indexOf('-', above)];
  if (dashAt >= lineStart) {
    const gapEnd = text.slice(dashAt + 1, i).search(/\S/);
    return { dash: dashAt - lineStart, gap: spaces(gapEnd < 0 ? i - dashAt - 1 : gapEnd) || ' ' };
  }
  return { dash: layout.column(i), gap: ' ' };
}

/**
 * Removes entries from a collection: whole lines in block style (with a comment on the same
 * line, keeping own-line comments), items and their commas in flow style.
 * Returns null when an entry does not start its own line in a block collection.
 */
export function removeEntries(layout: Layout, collection: YAMLMap | YAMLSeq, remove: ReadonlySet<number>): TextEdit[] | null {
  if (!collection.flow) {
    const lines = blockEntryLines(layout, collection, remove);
    return lines && lineRemovals(layout, lines, collection);
  }
  const starts = collection.items.map((item) => entryStart(item, layout.text));
  const ends = collection.items.map((item) => entryEnd(item, layout.text));
  const edits: TextEdit[] = [];
  const count = collection.items.length;
  for (let i = 0; i < count; i++) {
    if (!remove.has(i) || (i > 0 && remove.has(i - 1))) continue;
    let j = i;
    while (j + 1 < count && remove.has(j + 1)) j++;
    if (j + 1 < count) edits.push({ ...flowRemoval(layout, starts[i]!, ends[j]!, starts[j + 1]!), text: '', target: collection });
    else if (i > 0) edits.push({ start: ends[i - 1]!, end: ends[j]!, text: '', target: collection });
    else edits.push({ start: starts[0]!, end: ends[j]!, text: '', target: collection });
  }
  return edits;
}

/**
 * The region removing flow items from `start` (ending at `end`) before the item at `next`.
 * Own-line comments between them stay: when the items start their own line, the removal ends
 * with the line of the last removed item.
 */
function flowRemoval(layout: Layout, start: number, end: number, next: number): { start: number; end: number } {
  const { text } = layout;
  const between = text.slice(end, next);
  const lineStart = layout.lineStart(start);
  if (!between.includes('#') || !/^\s*$/.test(text.slice(lineStart, start))) return { start, end: next };
  return { start: lineStart, end: layout.nextLineStart(end) };
}

/** The line ranges of block entries, or null when an entry does not start its own line. */
function blockEntryLines(layout: Layout, collection: YAMLMap | YAMLSeq, remove: ReadonlySet<number>): [number, number][] | null {
  const { text } = layout;
  const lines: [number, number][] = [];
  for (const index of remove) {
    const item = collection.items[index];
    const start = entryStart(item, text);
    let lineStart = layout.lineStart(start);
    const before = text.slice(lineStart, start);
    // `? KEY` starts an explicit key; a sequence item may start below its `-` (`- # note`).
    if (isSeq(collection) && /^\s*$/.test(before)) lineStart = dashLineAbove(layout, lineStart) ?? -1;
    else if (!(isSeq(collection) ? /^\s*-\s*$/ : /^\s*(\?\s*)?$/).test(before)) lineStart = -1;
    if (lineStart < 0) return null;
    lines.push([lineStart, layout.nextLineStart(entryEnd(item, text))]);
  }
  return lines;
}

/**
 * The start of the line holding the `-` of an item written on a later line (`- # note`, then
 * the value), past blank and comment lines; null when the line above is anything else.
 */
function dashLineAbove(layout: Layout, lineStart: number): number | null {
  const { text } = layout;
  for (let at = lineStart; at > 0; ) {
    at = layout.lineStart(at - 1);
    const line = text.slice(at, layout.lineEnd(at));
    if (/^\s*-\s*(#.*)?$/.test(line)) return at;
    if (!/^\s*(#.*)?$/.test(line)) return null;
  }
  return null;
}

/**
 * Edits that delete whole-line ranges, merged where they touch. The file's last line, when it
 * has no line break, is removed together with the break before it, so the file still ends
 * without one.
 */
function lineRemovals(layout: Layout, ranges: [number, number][], target: Node): TextEdit[] {
  const { text } = layout;
  const merged: [number, number][] = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]): TextEdit => {
    if (end !== text.length || text.endsWith('\n') || start === 0) return { start, end, text: '', target };
    const breakBefore = text[start - 2] === '\r' ? 2 : 1;
    return { start: start - breakBefore, end, text: '', target, breakBefore };
  });
}

/**
 * Removes a whole `key: value` pair. In block style a block collection value goes entry by
 * entry, so own-line comments inside it stay where they were.
 */
export function removePair(layout: Layout, map: YAMLMap, pair: Pair): TextEdit[] | null {
  const index = map.items.indexOf(pair);
  const value = pair.value;
  if (map.flow || !(isMap(value) || isSeq(value)) || value.flow || value.items.length === 0) return removeEntries(layout, map, new Set([index]));
  const keyStart = (pair.key as Node).range![0];
  const keyLineStart = layout.lineStart(keyStart);
  if (!/^\s*$/.test(layout.text.slice(keyLineStart, keyStart))) return null;
  const items = blockEntryLines(layout, value, new Set(value.items.keys()));
  return items && lineRemovals(layout, [[keyLineStart, layout.nextLineStart(keyStart)], ...items], map);
}

function entryStart(item: unknown, text: string): number {
  const pair = item as Pair;
  const node = isNode(item) ? item : ((pair.key as Node | null) ?? (pair.value as Node));
  return withProperties(node, text);
}

/** An anchor or a tag right before a position (`&a ` or `!t `). */
const PROPERTY_BEFORE = /(?:&[^\s,[\]{}]+|![^\s,[\]{}]*)[ \t]*$/;

/** Where a node starts with its anchor and tag (`&a !t value`), which its range leaves out. */
function withProperties(node: Node, text: string): number {
  let start = node.range![0];
  if (!node.anchor && !node.tag) return start;
  for (let found = PROPERTY_BEFORE.exec(text.slice(0, start)); found; found = PROPERTY_BEFORE.exec(text.slice(0, start))) start = found.index;
  return start;
}

function entryEnd(item: unknown, text: string): number {
  if (isPair(item)) {
    const pair = item as Pair;
    return contentEnd(((pair.value as Node | null) ?? (pair.key as Node)), text);
  }
  return contentEnd(item as Node, text);
}

/** Replaces a scalar's text, keeping its quote style (quoting a plain one when it must). */
export function replaceScalar(scalar: Scalar, value: string, inFlow: boolean): TextEdit {
  const [start, end] = [scalar.range![0], scalar.range![1]];
  return { start, end, text: scalarText(value, scalar.type, inFlow), target: scalar };
}

/** Formats a string scalar: in the given quote style, else plain where that reads back the same. */
export function scalarText(value: string, type: Scalar['type'] | undefined, inFlow: boolean): string {
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (type === 'QUOTE_DOUBLE' || !isPlainSafe(value, inFlow)) return JSON.stringify(value);
  return value;
}

function isPlainSafe(value: string, inFlow: boolean): boolean {
  if (!/^[A-Za-z0-9/._~=+@-][^#]*$/.test(value) || /\s$|: |\s#/.test(value)) return false;
  if (inFlow && /[,[\]{}]/.test(value)) return false;
  return !/^(true|false|null|yes|no|on|off|~|[-+]?[0-9.]+)$/i.test(value);
}

/**
 * Replaces an alias with a copy of the node it names, written as that node is (its tag and
 * tags inside kept, its anchor left behind), so the alias's reader keeps what it reads while
 * the node itself is edited for others. A scalar or flow collection takes the alias's place
 * (a flow collection over several lines keeping its lines' indentation relative to the key's);
 * a block collection goes below the key of the pair holding the alias, indented in the
 * file's style, a comment after the alias staying on the key's line, or in flow style where
 * block style cannot go (a flow collection, a list item). Null where no copy reads the same: an
 * anchor inside the node (a copy would redefine it), a scalar over several lines, a flow
 * collection over several lines going into a flow collection, a block collection with comments
 * or nested collections going where block style cannot.
 */
export function copyInPlaceOfAlias(layout: Layout, alias: Alias, node: Node, owner: YAMLMap | YAMLSeq, pair: Pair | null, style: BlockStyle): TextEdit | null {
  const { text } = layout;
  if (hasAnchorInside(node)) return null;
  const [start, end] = [node.range![0], contentEnd(node, text)];
  // The node's tag as written, wherever it stands beside the anchor (`&a !t` or `!t &a`).
  const anchorAt = text.lastIndexOf(`&${node.anchor}`, start);
  const propertiesAt = Math.min(node.tag ? tagStart(node, text) : start, anchorAt < 0 ? start : anchorAt);
  const tag = text.slice(propertiesAt, start).replace(`&${node.anchor}`, '').replace(/#[^\r\n]*/g, '').trim();
  const block = (isMap(node) || isSeq(node)) && !node.flow;
  const aliasEnd = contentEnd(alias, text);
  if (!block) {
    const [first, ...more] = `${tag ? `${tag} ` : ''}${text.slice(start, end)}`.split(/\r?\n/);
    if (owner.flow && isScalar(node) && node.type === 'PLAIN' && /[,[\]{}]/.test(first!)) return null;
    if (more.length && (owner.flow || !isCollection(node))) return null;
    // Lines after the first keep their indentation relative to the line the value starts on.
    const shift = indentOf(text, layout.lineStart(alias.range![0])) - indentOf(text, layout.lineStart(start));
    const lines = [first!];
    for (const line of more) {
      const indent = /^ */.exec(line)![0].length;
      if (line.trim() !== '' && indent + shift < 1) return null;
      lines.push(line.trim() === '' ? '' : spaces(indent + shift) + line.slice(indent));
    }
    return { start: alias.range![0], end: aliasEnd, text: lines.join(layout.eol), target: owner };
  }
  const key = pair?.key as Node | undefined;
  if (!key || owner.flow || !isScalar(key) || layout.lineStart(key.range![0]) !== layout.lineStart(alias.range![0])) {
    const flow = flowCopy(text, node as YAMLMap | YAMLSeq);
    return flow === null ? null : { start: alias.range![0], end: aliasEnd, text: `${tag ? `${tag} ` : ''}${flow}`, target: owner };
  }
  if (!/^\s*$/.test(text.slice(layout.lineStart(key.range![0]), key.range![0]))) return null;
  const from = layout.column(start);
  if (!/^\s*$/.test(text.slice(layout.lineStart(start), start))) return null;
  const column = layout.column(key.range![0]) + (isSeq(node) ? style.sequenceIndent : style.mappingIndent);
  const lines: string[] = [];
  for (const line of text.slice(layout.lineStart(start), end).split(/\r?\n/)) {
    if (/^\s*$/.test(line)) lines.push('');
    else if (/^ */.exec(line)![0].length < from) return null;
    else lines.push(spaces(column) + line.slice(from));
  }
  const lineEnd = layout.lineEnd(aliasEnd);
  return { start: key.range![1], end: lineEnd, text: `:${tag ? ` ${tag}` : ''}${text.slice(aliasEnd, lineEnd)}${lines.map((line) => layout.eol + line).join('')}`, target: owner };
}

/**
 * A block collection of one-line plain or quoted scalars (`- a`, `k: v`) as a flow collection,
 * for a copy that goes where block style cannot (a flow collection, a list item); null for
 * anything else, comments included (a flow copy on one line would lose them).
 */
function flowCopy(text: string, node: YAMLMap | YAMLSeq): string | null {
  if (/#/.test(text.slice(node.range![0], contentEnd(node, text)))) return null;
  const written = (scalar: unknown) => {
    if (!isScalar(scalar) || scalar.tag || scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') return null;
    const value = text.slice(scalar.range![0], contentEnd(scalar, text));
    return /[\r\n]/.test(value) || (scalar.type === 'PLAIN' && /[,[\]{}]/.test(value)) ? null : value;
  };
  const items: string[] = [];
  for (const item of node.items as unknown[]) {
    const one = isPair(item) ? [written(item.key), item.value === null ? '' : written(item.value)] : [written(item)];
    if (one.includes(null)) return null;
    items.push(isPair(item) ? `${one[0]}:${one[1] ? ` ${one[1]}` : ''}` : one[0]!);
  }
  return isSeq(node) ? `[${items.join(', ')}]` : `{${items.join(', ')}}`;
}

/** Spaces at the start of the line starting at `lineStart`. */
const indentOf = (text: string, lineStart: number) => /^ */.exec(text.slice(lineStart, lineStart + 200))![0].length;

const isCollection = (node: Node): node is YAMLMap | YAMLSeq => isMap(node) || isSeq(node);

/** Whether anything inside a node carries an anchor (the node's own aside). */
function hasAnchorInside(node: Node): boolean {
  const stack: unknown[] = isMap(node) || isSeq(node) ? [...node.items] : [];
  while (stack.length) {
    const item = stack.pop();
    if (isPair(item)) stack.push(item.key, item.value);
    else if (isNode(item)) {
      if (item.anchor) return true;
      if (isMap(item) || isSeq(item)) stack.push(...item.items);
    }
  }
  return false;
}
