/**
 * Byte-exact fixture pairs (jscodeshift `__testfixtures__` style): every folder under
 * test/fixtures holds `input.yml`, the hand-written `output.yml`, the `options.json` given to
 * `convert`, and optionally `expected.json` with the change and warning codes per service.
 * Each case also asserts that converting the output again changes nothing. Refusals live in
 * test/fixtures/errors as `<case>.yml` with the expected code in `<case>.json`.
 */
import { describe, expect, it } from 'vitest';
import { convert, ConvertError } from '../src/index.js';
import type { ConvertOptions, ConvertResult } from '../src/index.js';
import { errorCases, fixtureCases } from './helpers/fixtures.js';
import type { ExpectedWarning } from './helpers/fixtures.js';

/**
 * Warnings about the edit itself: a case must list exactly these (advisory warnings such as
 * image caveats may come and go as the knowledge grows, so they are only checked when listed).
 */
const STRUCTURAL_WARNINGS = new Set(['read-only-variable', 'run-tmpfs-volume', 'shared-node', 'env-anchor']);

const codeOf = (w: ExpectedWarning) => (typeof w === 'string' ? w : w.code);
const distinctSorted = (codes: readonly string[]) => [...new Set(codes)].sort();

function convertOrThrowTyped(text: string, options: ConvertOptions): ConvertResult | ConvertError {
  try {
    return convert(text, options);
  } catch (error) {
    if (error instanceof ConvertError) return error;
    throw error;
  }
}

describe.each(fixtureCases())('fixture $name', (fixture) => {
  const options = fixture.options as ConvertOptions;

  it('converts input.yml to exactly output.yml', () => {
    const result = convert(fixture.input, options);
    expect(result.output).toBe(fixture.output);
    expect(result.changed).toBe(fixture.input !== fixture.output);
  });

  it('changes nothing when run again on its own expected output', () => {
    const again = convert(fixture.output, options);
    expect(again.output).toBe(fixture.output);
    expect(again.changed).toBe(false);
  });

  it('converts the same without warnings (as for --quiet), and reports none', () => {
    const shown = convert(fixture.input, options);
    const quiet = convert(fixture.input, { ...options, warnings: false });
    const withoutWarnings = (result: ConvertResult) => result.services.map(({ warnings: _, ...report }) => report);
    expect({ output: quiet.output, services: withoutWarnings(quiet) }).toEqual({ output: shown.output, services: withoutWarnings(shown) });
    expect(quiet.services.flatMap((s) => s.warnings)).toEqual([]);
  });

  if (!fixture.expected) return;
  const expected = fixture.expected.services;
  it('reports the expected change and warning codes for each selected service', () => {
    const result = convert(fixture.input, options);
    expect(result.services.map((s) => s.name)).toEqual(Object.keys(expected));
    for (const service of result.services) {
      const want = expected[service.name]!;
      expect({ service: service.name, changes: distinctSorted(service.changes.map((c) => c.code)) }).toEqual({
        service: service.name,
        changes: distinctSorted(want.changes),
      });
      const structural = service.warnings.map((w) => w.code).filter((code) => STRUCTURAL_WARNINGS.has(code));
      expect({ service: service.name, warnings: distinctSorted(structural) }).toEqual({
        service: service.name,
        warnings: distinctSorted(want.warnings.map(codeOf).filter((code) => STRUCTURAL_WARNINGS.has(code))),
      });
      for (const warning of want.warnings) {
        const match = typeof warning === 'string' ? { code: warning } : { code: warning.code, line: warning.line };
        expect(service.warnings).toContainEqual(expect.objectContaining(match));
      }
    }
  });
});

describe.each(errorCases())('error case $name', ({ input, expected }) => {
  it(`is refused with a ConvertError whose code is ${expected.code}`, () => {
    const outcome = convertOrThrowTyped(input, (expected.options ?? { all: true }) as ConvertOptions);
    expect(outcome).toBeInstanceOf(ConvertError);
    const error = outcome as ConvertError;
    expect(error.code).toBe(expected.code);
    if (expected.line !== undefined) expect(error.line).toBe(expected.line);
    if (expected.column !== undefined) expect(error.column).toBe(expected.column);
    if (expected.position) {
      expect(error.line).toBeGreaterThanOrEqual(1);
      expect(error.column).toBeGreaterThanOrEqual(1);
    }
    if (expected.messageMatches) expect(error.message).toMatch(new RegExp(expected.messageMatches, 'i'));
    expect(error.message).not.toContain('\n');
  });
});

describe('inputs that cannot be files in the fixture folder', () => {
  it('refuses text with a NUL byte as binary, with its position', () => {
    const outcome = convertOrThrowTyped('services:\n  sonarr:\n    image: x\0y\n', { all: true });
    expect(outcome).toBeInstanceOf(ConvertError);
    expect((outcome as ConvertError).code).toBe('binary');
    expect((outcome as ConvertError).line).toBe(3);
  });

  it('refuses text holding a replacement character (bytes that were not UTF-8) as not-utf8', () => {
    const outcome = convertOrThrowTyped('services:\n  sonarr:\n    image: caf\uFFFD\n', { all: true });
    expect(outcome).toBeInstanceOf(ConvertError);
    expect((outcome as ConvertError).code).toBe('not-utf8');
  });
});

/** A billion-laughs document: nine levels of ten aliases each, 10^9 strings if expanded. */
function aliasBomb(useInService: boolean): string {
  const levels = 'abcdefghi'.split('');
  const lines = ['x-lol:', `  a: &a [${Array(10).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels.length; i++) {
    lines.push(`  ${levels[i]}: &${levels[i]} [${Array(10).fill(`*${levels[i - 1]}`).join(', ')}]`);
  }
  lines.push('services:', '  sonarr:', '    image: lscr.io/linuxserver/sonarr:latest');
  if (useInService) lines.push('    labels: *i');
  lines.push('  bomb:', '    image: busybox', '    command: *i', '');
  return lines.join('\n');
}

describe('alias bombs', () => {
  it('converts a selected service next to an unselected one that references a billion-laughs alias, without expanding it', () => {
    const result = convert(aliasBomb(false), { services: ['sonarr'] });
    expect(result.output).toBe(
      aliasBomb(false).replace(
        '    image: lscr.io/linuxserver/sonarr:latest\n',
        '    image: lscr.io/linuxserver/sonarr:latest\n    read_only: true\n    tmpfs:\n      - /run:exec\n',
      ),
    );
  });

  it('finishes on a selected service that itself references the bomb, converting it or refusing it with a ConvertError', () => {
    const outcome = convertOrThrowTyped(aliasBomb(true), { all: true });
    if (outcome instanceof ConvertError) expect(outcome.code).toMatch(/./);
    else expect(outcome.output).toContain('    read_only: true\n');
  });
});
