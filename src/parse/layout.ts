/**
 * Line-level facts about a source text, in the same offsets the `yaml` parser reports
 * (a leading BOM counts as one character). Every insertion uses these, so new lines match
 * the file's line ending and indentation.
 */
export interface Layout {
  readonly text: string;
  /** The file's line ending: CRLF when its first line ends with one, else LF. */
  readonly eol: '\n' | '\r\n';
  /** Offset of the start of the line holding `offset`. */
  lineStart(offset: number): number;
  /** Offset just past the line break of the line holding `offset` (or the text's end). */
  nextLineStart(offset: number): number;
  /** Offset of the line break (or text end) of the line holding `offset`. */
  lineEnd(offset: number): number;
  /** Column (0-based) of `offset` within its line. */
  column(offset: number): number;
  /** 1-based line and column of `offset`, for messages. */
  position(offset: number): { line: number; column: number };
}

/** Builds a {@link Layout}; line numbers are computed lazily, only when a message needs one. */
export function createLayout(text: string): Layout {
  const firstBreak = text.indexOf('\n');
  const eol = firstBreak > 0 && text[firstBreak - 1] === '\r' ? '\r\n' : '\n';
  let lineStarts: number[] | null = null;
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = (offset: number) => {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    return nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
  };
  return {
    text,
    eol,
    lineStart,
    lineEnd,
    nextLineStart(offset) {
      const nl = text.indexOf('\n', offset);
      return nl < 0 ? text.length : nl + 1;
    },
    column: (offset) => offset - lineStart(offset),
    position(offset) {
      if (!lineStarts) {
        lineStarts = [0];
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      }
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      const bom = lo === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
      return { line: lo + 1, column: offset - lineStarts[lo]! - bom + 1 };
    },
  };
}
