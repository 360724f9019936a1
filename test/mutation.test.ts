// Mutation fuzzing: compose files with random byte and line mutations (fixed seed, bounded
// count) must give a conversion whose output parses, or a clean ConvertError — never another
// exception, never a hang. A handful also go through the CLI binary: exit 0 or 2, no stack
// trace, and the file untouched when refused. Two seed sets, each fuzzed on its own: the
// hand-made files of the repository (always), and the real-world files of ../shared/corpus
// (skipped with one line when that is missing, except with CI=true, where that fails).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { convert } from '../src/convert.js';
import { ConvertError } from '../src/parse/errors.js';
import { decodeText } from '../src/parse/decode.js';
import { corpusFiles, sharedCorpusMissing, sharedCorpusTestsRun } from './helpers/shared-corpus.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEED = Number(process.env.RO_CONVERT_MUTATION_SEED ?? 5);
const COUNT = Number(process.env.RO_CONVERT_MUTATION_COUNT ?? 300);

/** mulberry32: a small seeded PRNG, so every run mutates the same way. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const yamlIn = (dir: string) => readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n));
const subdirs = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name)).sort();
/** The hand-made seeds: the fixture inputs (LinuxServer-style files, edge cases, refusals) and the examples. */
const handMadeFiles = [
  ...['fixtures', 'fixtures-warnings'].flatMap((set) => subdirs(join(root, 'test', set)).flatMap((dir) => yamlIn(dir).filter((file) => !file.endsWith('/output.yml')))),
  ...subdirs(join(root, 'examples')).flatMap(yamlIn),
];

const INTERESTING = [0x00, 0xff, 0x09, 0x0d, 0x0a, 0x20, 0x3a, 0x2d, 0x5b, 0x7b, 0x7d, 0x5d, 0x26, 0x2a, 0x21, 0x22, 0x27, 0x23, 0x7c, 0x3e, 0x25, 0x40, 0xc3, 0xef];

/** One to three mutations: bytes flipped, inserted, deleted; lines duplicated, deleted, swapped, re-indented; truncation. */
function mutate(bytes: Buffer, random: () => number): { bytes: Buffer; ops: string[] } {
  let out = Buffer.from(bytes);
  const ops: string[] = [];
  const int = (n: number) => Math.floor(random() * n);
  for (let k = 1 + int(3); k > 0; k--) {
    const lines = out.toString('latin1').split('\n');
    const line = int(lines.length);
    const at = int(out.length + 1);
    switch (int(9)) {
      case 0:
        if (out.length) out[Math.min(at, out.length - 1)] ^= 1 << int(8);
        ops.push(`flip@${at}`);
        break;
      case 1: {
        const byte = INTERESTING[int(INTERESTING.length)]!;
        out = Buffer.concat([out.subarray(0, at), Buffer.from([byte]), out.subarray(at)]);
        ops.push(`insert 0x${byte.toString(16)}@${at}`);
        break;
      }
      case 2:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(8))]);
        ops.push(`delete@${at}`);
        break;
      case 3:
        lines.splice(line, 0, lines[line] ?? '');
        out = Buffer.from(lines.join('\n'), 'latin1');
        ops.push(`dup-line ${line + 1}`);
        break;
      case 4:
        lines.splice(line, 1);
        out = Buffer.from(lines.join('\n'), 'latin1');
        ops.push(`delete-line ${line + 1}`);
        break;
      case 5: {
        const other = int(lines.length);
        [lines[line], lines[other]] = [lines[other]!, lines[line]!];
        out = Buffer.from(lines.join('\n'), 'latin1');
        ops.push(`swap-lines ${line + 1} ${other + 1}`);
        break;
      }
      case 6:
        lines[line] = random() < 0.5 ? ` ${' '.repeat(int(2))}${lines[line]}` : (lines[line] ?? '').replace(/^ {1,2}/, '');
        out = Buffer.from(lines.join('\n'), 'latin1');
        ops.push(`reindent-line ${line + 1}`);
        break;
      case 7:
        lines[line] = `\t${lines[line]}`;
        out = Buffer.from(lines.join('\n'), 'latin1');
        ops.push(`tab-line ${line + 1}`);
        break;
      default:
        out = out.subarray(0, at);
        ops.push(`truncate@${at}`);
    }
  }
  return { bytes: out, ops };
}

interface Case {
  source: string;
  ops: string[];
  bytes: Buffer;
}

/** COUNT mutated copies of the seeds, the same on every run. */
function mutatedCases(seeds: string[]): Case[] {
  const random = prng(SEED);
  return seeds.length === 0
    ? []
    : Array.from({ length: COUNT }, () => {
        const source = seeds[Math.floor(random() * seeds.length)]!;
        return { source, ...mutate(readFileSync(source), random) };
      });
}

type Verdict = { kind: 'converted' } | { kind: 'refused'; code: string } | { kind: 'crashed'; error: string } | { kind: 'bad-output'; error: string };

function verdict(bytes: Buffer): Verdict {
  try {
    const text = decodeText(bytes);
    const result = convert(text, { all: true });
    const errors = parseDocument(result.output, { uniqueKeys: true }).errors;
    return errors.length ? { kind: 'bad-output', error: errors[0]!.message } : { kind: 'converted' };
  } catch (error) {
    if (error instanceof ConvertError) return { kind: 'refused', code: error.code };
    return { kind: 'crashed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The fuzzing of one seed set: in-process, then a few cases through the CLI binary. */
function fuzz(label: string, cases: Case[]): void {
  it(`${label}: each of ${COUNT} mutations (seed ${SEED}) gives a parsing conversion or a clean ConvertError, never another exception or a hang`, () => {
    const tally: Record<string, number> = {};
    const failures: string[] = [];
    const internal: string[] = [];
    for (const c of cases) {
      const v = verdict(c.bytes);
      const key = v.kind === 'refused' ? `refused:${v.code}` : v.kind;
      tally[key] = (tally[key] ?? 0) + 1;
      const what = `${relative(root, c.source)} [${c.ops.join(', ')}]`;
      if (v.kind === 'crashed' || v.kind === 'bad-output') failures.push(`${what}: ${v.error}`);
      if (v.kind === 'refused' && v.code === 'internal') internal.push(what);
    }
    console.log(`mutation.test: ${label}: ${JSON.stringify(tally)}`);
    // An `internal` refusal is clean for the user (exit 2, nothing written) but is a bug in
    // ro-convert's edits: list them so they are seen.
    if (internal.length) console.log(`mutation.test: ${label}: refused as internal (bugs to look at):\n  ${internal.join('\n  ')}`);
    expect(failures).toEqual([]);
    expect(tally.converted ?? 0).toBeGreaterThan(COUNT / 10);
  }, 120_000);

  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ro-convert-mutation-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  // A few that convert and a few that are refused, chosen by the in-process verdict.
  const picked = [...cases.filter((c) => verdict(c.bytes).kind === 'converted').slice(0, 4), ...cases.filter((c) => verdict(c.bytes).kind === 'refused').slice(0, 8)];

  it.each(picked.map((c, i) => [i, c.ops.join(', '), c] as const))(`${label} through the CLI binary: #%i (%s): exit 0 or 2, no stack trace, untouched when refused`, (i, _, c) => {
    const file = join(dir, `compose-${i}.yml`);
    writeFileSync(file, c.bytes);
    const result = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), '--all', '--write', '--quiet', file], { encoding: 'utf8', timeout: 30_000 });
    expect([0, 2]).toContain(result.status);
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    if (result.status === 2) {
      expect(result.stderr).toMatch(/compose-\d+\.yml(:\d+:\d+)?: error: /);
      expect(readFileSync(file).equals(c.bytes)).toBe(true);
    } else {
      expect(parseDocument(readFileSync(file, 'utf8')).errors).toEqual([]);
    }
  }, 30_000);
}

describe('mutation fuzzing of the hand-made files (fixtures, examples)', () => {
  fuzz('hand-made files', mutatedCases(handMadeFiles));
});

const corpusRuns = sharedCorpusTestsRun('mutation.test', 'mutation fuzzing seeded from the real-world files of ../shared/corpus');

describe.skipIf(!corpusRuns)('mutation fuzzing of the real-world files of ../shared/corpus', () => {
  it('has them (CI must not skip this)', () => {
    expect(sharedCorpusMissing).toBeNull();
  });
  fuzz('real-world files', mutatedCases(corpusFiles()));
});
