import { diffLines, FILE_HEADERS_ONLY, formatPatch } from 'diff';
import type { StructuredPatchHunk } from 'diff';
import type { Replacement } from '../plan/edits.js';

/** Lines of context around each change, as `diff -u` and git print them. */
const CONTEXT = 3;

/**
 * A unified diff of one file that `git apply` accepts: `--- a/PATH` / `+++ b/PATH` headers,
 * three lines of context, and the "No newline at end of file" marker where it applies.
 * Empty when the texts are equal.
 *
 * `replacements` are the regions of `before` that `after` replaces (source order, no overlap:
 * what `convert()` returns). Only the lines they touch are diffed, each region on its own, so the
 * time is linear in the file's size however many services change (a whole-file line diff takes
 * time in proportion to the size times the number of changes). The hunks are those of the `diff`
 * package's whole-file `createTwoFilesPatch`, byte for byte, on every fixture, example and corpus
 * file and on generated documents (test/diff.test.ts); only where lines repeat densely around
 * nearby changes could the two place a change differently, each a correct patch.
 */
export function unifiedDiff(path: string, before: string, after: string, replacements: readonly Replacement[]): string {
  if (before === after) return '';
  const clean = path.replace(/^\.\//, '');
  const old = new LineIndex(before);
  const hunks = buildHunks(partsOf(old, after, joinedRegions(old, after, changedRegions(old, replacements))), old);
  return formatPatch({ oldFileName: `a/${clean}`, newFileName: `b/${clean}`, oldHeader: undefined, newHeader: undefined, hunks }, FILE_HEADERS_ONLY);
}

/** The lines of a text as the `diff` package splits them: each ends after its `\n` (the last may not). */
class LineIndex {
  /** Offset where each line starts. */
  readonly starts: number[] = [];

  constructor(readonly text: string) {
    if (text.length > 0) this.starts.push(0);
    for (let i = text.indexOf('\n'); i !== -1 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Offset of line `index`'s first character; the text's length past the last line. */
  start(index: number): number {
    return index < this.starts.length ? this.starts[index]! : this.text.length;
  }

  /** Line `index` with its line break. */
  line(index: number): string {
    return this.text.slice(this.start(index), this.start(index + 1));
  }

  /** Index of the line holding `offset` (the last line for the text's end, 0 for an empty text). */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/** Old lines [from, to) and the new lines that take their place. */
interface Region {
  from: number;
  to: number;
  /** Offset in the new text of line `from`'s start. */
  newStart: number;
  /** Offset in the new text where line `to` starts. */
  newEnd: number;
}

/**
 * The whole lines the replacements change, one region per run of replacements on the same or
 * adjacent lines: from the line where a replacement starts through the line where it ends (not
 * that line when the replacement ends at its start with a whole-line text).
 */
function changedRegions(old: LineIndex, replacements: readonly Replacement[]): Region[] {
  const regions: Region[] = [];
  let delta = 0;
  for (const r of replacements) {
    // A replacement by the same text changes nothing; as a region it could only keep others apart.
    if (r.end - r.start === r.text.length && old.text.startsWith(r.text, r.start)) continue;
    const before = delta;
    delta += r.text.length - (r.end - r.start);
    const from = old.lineOf(r.start);
    const endsWholeLine = r.end < old.text.length && old.start(old.lineOf(r.end)) === r.end
      && (r.text ? r.text.endsWith('\n') : old.start(from) === r.start);
    const to = endsWholeLine ? old.lineOf(r.end) : Math.min(old.count, old.lineOf(r.end) + 1);
    const last = regions.at(-1);
    if (last && from <= last.to) {
      last.to = Math.max(last.to, to);
      last.newEnd = old.start(last.to) + delta;
    } else {
      regions.push({ from, to, newStart: old.start(from) + before, newEnd: old.start(to) + delta });
    }
  }
  return regions;
}

/** A run of the file in the whole-file diff: unchanged old lines, or removed or added lines. */
type Part = { kind: ' '; from: number; count: number } | { kind: '-' | '+'; lines: string[] };

/** A region being joined, with the lines it holds on each side. */
interface Joining {
  region: Region;
  oldLines: Set<string>;
  newLines: Set<string>;
  /** Lines on both sides, repeats counted. */
  size: number;
}

/**
 * The regions as the whole-file line diff sees them. That diff matches lines as early as it can,
 * so it may place a change where a region alone would not: slide an insertion down over the
 * unchanged lines that repeat it, or show two nearby changes as one line moved. So a region takes
 * in what follows it, up to the last line or region that one of its lines could stand for (an
 * unchanged line equal to one of its lines, a region adding one it removes or removing one it
 * adds), looking as far ahead as it has lines plus twice the context; then it looks again. The
 * whole-file diff gives no guarantee beyond this; test/diff.test.ts holds the two equal on the
 * fixtures, the examples and generated documents (and the corpus is checked the same way).
 */
function joinedRegions(old: LineIndex, after: string, regions: readonly Region[]): Region[] {
  const oldLinesOf = (r: Region) => Array.from({ length: r.to - r.from }, (_, k) => old.line(r.from + k));
  const newLinesOf = (r: Region) => splitLines(after.slice(r.newStart, r.newEnd));
  const joined: Region[] = [];
  let i = 0;
  while (i < regions.length) {
    const first = regions[i++]!;
    const [oldLines, newLines] = [oldLinesOf(first), newLinesOf(first)];
    const j: Joining = { region: { ...first }, oldLines: new Set(oldLines), newLines: new Set(newLines), size: oldLines.length + newLines.length };
    for (;;) {
      const limit = Math.min(old.count, j.region.to + j.size + 2 * CONTEXT);
      let reach = j.region.to;
      let k = i;
      for (let line = j.region.to; line < limit; line++) {
        for (; k < regions.length && regions[k]!.from <= line; k++) {
          const r = regions[k]!;
          if (newLinesOf(r).some((l) => j.oldLines.has(l)) || oldLinesOf(r).some((l) => j.newLines.has(l))) reach = Math.max(reach, r.to);
        }
        const inRegion = k > i && regions[k - 1]!.to > line;
        const text = old.line(line);
        if (!inRegion && (j.oldLines.has(text) || j.newLines.has(text))) reach = Math.max(reach, line + 1);
      }
      if (reach === j.region.to && !(i < regions.length && regions[i]!.from <= reach)) break;
      // Take in the lines up to `reach` and every region that starts there or before.
      for (;;) {
        const next = regions[i];
        const end = next && next.from <= reach ? next.from : reach;
        for (let line = j.region.to; line < end; line++) {
          const text = old.line(line);
          j.oldLines.add(text);
          j.newLines.add(text);
          j.region.newEnd += text.length;
          j.size += 2;
        }
        j.region.to = Math.max(j.region.to, end);
        if (!next || next.from > reach) break;
        for (const l of oldLinesOf(next)) j.oldLines.add(l), j.size++;
        for (const l of newLinesOf(next)) j.newLines.add(l), j.size++;
        j.region.to = next.to;
        j.region.newEnd = next.newEnd;
        reach = Math.max(reach, next.to);
        i++;
      }
    }
    joined.push(j.region);
  }
  return joined;
}

/** The file as the whole-file line diff sees it: unchanged runs, and what `diffLines` finds in each region. */
function partsOf(old: LineIndex, after: string, regions: readonly Region[]): Part[] {
  const parts: Part[] = [];
  const common = (from: number, to: number) => {
    if (to <= from) return;
    const last = parts.at(-1);
    if (last?.kind === ' ') last.count += to - from;
    else parts.push({ kind: ' ', from, count: to - from });
  };
  let cursor = 0;
  for (const region of regions) {
    common(cursor, region.from);
    let line = region.from;
    for (const change of diffLines(old.text.slice(old.start(region.from), old.start(region.to)), after.slice(region.newStart, region.newEnd))) {
      const count = change.count ?? 0;
      if (change.added) parts.push({ kind: '+', lines: splitLines(change.value) });
      else if (change.removed) parts.push({ kind: '-', lines: splitLines(change.value) });
      else common(line, line + count);
      if (!change.added) line += count;
    }
    cursor = region.to;
  }
  common(cursor, old.count);
  return parts;
}

/** `text` cut after each `\n`, the breaks kept. */
function splitLines(text: string): string[] {
  const lines = text.split('\n').map((line) => `${line}\n`);
  const last = lines.pop()!;
  if (last !== '\n') lines.push(last.slice(0, -1));
  return lines;
}

/**
 * Hunks from the parts, grouped as the `diff` package groups them: changes closer than twice the
 * context share a hunk, a hunk's lines lose their `\n`, and a line without one is followed by
 * the "No newline at end of file" marker.
 */
function buildHunks(parts: Part[], old: LineIndex): StructuredPatchHunk[] {
  const hunks: StructuredPatchHunk[] = [];
  const contextLines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ` ${old.line(from + k)}`);
  let oldStart = 0;
  let newStart = 0;
  let lines: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.kind !== ' ') {
      if (!oldStart) {
        const prev = parts[i - 1];
        lines = prev?.kind === ' ' ? contextLines(prev.from + prev.count - Math.min(CONTEXT, prev.count), prev.from + prev.count) : [];
        oldStart = oldLine - lines.length;
        newStart = newLine - lines.length;
      }
      for (const line of part.lines) lines.push(part.kind + line);
      if (part.kind === '+') newLine += part.lines.length;
      else oldLine += part.lines.length;
      continue;
    }
    if (oldStart) {
      if (part.count <= CONTEXT * 2 && i < parts.length - 1) {
        lines.push(...contextLines(part.from, part.from + part.count));
      } else {
        const size = Math.min(part.count, CONTEXT);
        lines.push(...contextLines(part.from, part.from + size));
        hunks.push({ oldStart, oldLines: oldLine - oldStart + size, newStart, newLines: newLine - newStart + size, lines });
        oldStart = 0;
        lines = [];
      }
    }
    oldLine += part.count;
    newLine += part.count;
  }
  if (oldStart) hunks.push({ oldStart, oldLines: oldLine - oldStart, newStart, newLines: newLine - newStart, lines });
  for (const hunk of hunks) {
    hunk.lines = hunk.lines.flatMap((line) => (line.endsWith('\n') ? [line.slice(0, -1)] : [line, '\\ No newline at end of file']));
  }
  return hunks;
}

/** Colours a unified diff for a terminal: additions green, removals red, hunk headers cyan. */
export function colorDiff(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return `\x1b[1m${line}\x1b[22m`;
      if (line.startsWith('+')) return `\x1b[32m${line}\x1b[39m`;
      if (line.startsWith('-')) return `\x1b[31m${line}\x1b[39m`;
      if (line.startsWith('@@')) return `\x1b[36m${line}\x1b[39m`;
      return line;
    })
    .join('\n');
}
