import { createTwoFilesPatch } from 'diff';

/**
 * A unified diff of one file that `git apply` accepts: `--- a/PATH` / `+++ b/PATH` headers,
 * three lines of context, and the "No newline at end of file" marker where it applies.
 * Empty when the texts are equal.
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const clean = path.replace(/^\.\//, '');
  const patch = createTwoFilesPatch(`a/${clean}`, `b/${clean}`, before, after, undefined, undefined, { context: 3 });
  // The `Index:`/`====` preamble of the diff package is not part of a git-style patch.
  return patch.slice(patch.indexOf('--- '));
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
