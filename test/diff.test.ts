// The preview diff is built from the replacements convert() made, one small region at a time;
// these tests hold it byte-identical to the `diff` package's whole-file createTwoFilesPatch (what
// the preview printed before, and what a reader expects from `diff -u`).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, createTwoFilesPatch } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convert } from '../src/convert.js';
import type { ConvertOptions } from '../src/convert.js';
import { ConvertError } from '../src/parse/errors.js';
import { applyReplacements, changesText } from '../src/plan/edits.js';
import type { Replacement } from '../src/plan/edits.js';
import { unifiedDiff } from '../src/report/diff.js';
import { TOO_DEEP, composeCase } from './gen/compose.js';
import { fixtureCases, readExact } from './helpers/fixtures.js';

const SEED = Number(process.env.RO_CONVERT_PROPERTY_SEED ?? 20260801);
const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const WARNING_FIXTURES = fileURLToPath(new URL('./fixtures-warnings/', import.meta.url));

/** The whole-file diff, as the preview printed it before it was built from the replacements. */
function wholeFileDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
  return patch.slice(patch.indexOf('--- '));
}

/** Converts and compares the two diffs; returns whether anything changed (so a case cannot pass empty). */
function expectSameDiff(path: string, input: string, options: ConvertOptions): boolean {
  const result = convert(input, { ...options, path });
  expect(result.diff).toBe(wholeFileDiff(path, input, result.output));
  return result.changed;
}

describe('diff from the replacements equals the whole-file diff', () => {
  it.each(fixtureCases().filter((f) => f.input !== f.output))('fixture $name', (fixture) => {
    expect(expectSameDiff('compose.yml', fixture.input, fixture.options as ConvertOptions)).toBe(true);
  });

  const warningCases = readdirSync(WARNING_FIXTURES).filter((name) => existsSync(join(WARNING_FIXTURES, name, 'input.yml')));
  it.each(warningCases)('warning fixture %s', (name) => {
    expectSameDiff('compose.yml', readExact(join(WARNING_FIXTURES, name, 'input.yml')), { all: true });
  });

  const examples = readdirSync(EXAMPLES).filter((name) => existsSync(join(EXAMPLES, name, 'compose.yml')));
  it.each(examples)('example %s, every service', (name) => {
    expect(expectSameDiff(`examples/${name}/compose.yml`, readExact(join(EXAMPLES, name, 'compose.yml')), { all: true })).toBe(true);
  });

  it('generated compose documents (fast-check)', () => {
    fc.assert(
      fc.property(composeCase, ({ doc, selection }) => {
        try {
          expectSameDiff('compose.yml', doc.text, selection);
        } catch (error) {
          // A file refused where no placement exists, or nested past the too-deep limit, has no diff to compare.
          const refused = error instanceof ConvertError && (error.code === 'no-placement' || (error.code === 'too-deep' && (doc.depth ?? 0) >= TOO_DEEP));
          if (!refused) throw error;
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  }, 120_000);
});

/** Line texts from a tiny alphabet: repeated lines are where a line diff has choices to make. */
const line = fc.constantFrom('a\n', 'b\n', 'a\n', '\n', '  - x\n', 'c\r\n');
const lines = (max: number) => fc.array(line, { maxLength: max }).map((ls) => ls.join(''));

/** A text and non-overlapping replacements of it, in source order. */
const edited = fc
  .tuple(lines(40), fc.boolean())
  .chain(([body, cutEnd]) => {
    const text = cutEnd && body.endsWith('\n') ? body.slice(0, -1) : body;
    return fc.tuple(
      fc.constant(text),
      fc.array(fc.tuple(fc.nat(text.length), fc.nat(8), fc.oneof(lines(4), fc.constantFrom('', 'a', 'b\n', '\nz'))), { maxLength: 6 }),
    );
  })
  .map(([text, raw]) => {
    const replacements: Replacement[] = [];
    let cursor = 0;
    for (const [at, length, insert] of [...raw].sort((x, y) => x[0] - y[0])) {
      // Edits mostly start at line starts, as the engine's do; some start mid-line.
      const start = Math.max(cursor, at % 3 === 0 ? at : text.lastIndexOf('\n', at - 1) + 1);
      if (start > text.length) break;
      const end = Math.min(text.length, start + length);
      replacements.push({ start, end, text: insert });
      cursor = end + 1;
    }
    return { text, replacements };
  });

describe('unifiedDiff on arbitrary replacements', () => {
  it('equals the whole-file diff, repeated lines, CRLF and missing final newlines included (fast-check)', () => {
    fc.assert(
      fc.property(edited, ({ text, replacements }) => {
        const after = applyReplacements(text, replacements);
        const patch = unifiedDiff('f.yml', text, after, replacements);
        expect(patch).toBe(wholeFileDiff('f.yml', text, after));
        if (patch) expect(applyPatch(text, patch)).toBe(after);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('changesText is true exactly when the text with the replacements differs, no-op replacements included (fast-check)', () => {
    fc.assert(
      fc.property(edited, fc.array(fc.boolean()), ({ text, replacements }, keep) => {
        // Some replacements put back what they replace: those change nothing.
        const mixed = replacements.map((r, i) => (keep[i] ? { ...r, text: text.slice(r.start, r.end) } : r));
        expect(changesText(text, mixed)).toBe(applyReplacements(text, mixed) !== text);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it.each([
    // An inserted line equal to the ones after it: the whole-file diff shows it after them.
    { name: 'slide over repeats', text: 'x\na\na\na\ny\n', replacements: [{ start: 2, end: 2, text: 'a\n' }] },
    { name: 'deletion in a run', text: 'x\na\na\na\ny\n', replacements: [{ start: 2, end: 4, text: '' }] },
    { name: 'first line', text: 'a\nb\n', replacements: [{ start: 0, end: 1, text: 'z' }] },
    { name: 'no final newline', text: 'a\nb', replacements: [{ start: 3, end: 3, text: '\nc' }] },
    { name: 'empty file', text: '', replacements: [{ start: 0, end: 0, text: 'a\n' }] },
    { name: 'changes 6 lines apart share a hunk', text: 'a\n1\n2\n3\n4\n5\n6\nb\n', replacements: [{ start: 0, end: 1, text: 'A' }, { start: 14, end: 15, text: 'B' }] },
    { name: 'changes 7 lines apart do not', text: 'a\n1\n2\n3\n4\n5\n6\n7\nb\n', replacements: [{ start: 0, end: 1, text: 'A' }, { start: 16, end: 17, text: 'B' }] },
  ])('$name', ({ text, replacements }) => {
    const after = applyReplacements(text, replacements);
    expect(unifiedDiff('f.yml', text, after, replacements)).toBe(wholeFileDiff('f.yml', text, after));
  });

  it('quotes a path as the diff package does, and is empty for equal texts', () => {
    expect(unifiedDiff('./dir/ü.yml', 'a\n', 'b\n', [{ start: 0, end: 1, text: 'b' }])).toBe(wholeFileDiff('dir/ü.yml', 'a\n', 'b\n'));
    expect(unifiedDiff('f.yml', 'a\n', 'a\n', [])).toBe('');
  });
});
