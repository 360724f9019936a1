/**
 * `--format sarif` (issue 14): the log validates against the SARIF 2.1.0 schema, its fixes are
 * the very edits `--write` makes (applied by offsets or by lines, on every fixture and example,
 * CRLF and BOM kept), one result per service that needs changes at the service's key, one per
 * warning with the warning code as its rule, and paths relative to the working directory.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, ConvertError } from '../src/index.js';
import type { ConvertOptions } from '../src/index.js';
import { sarifLog } from '../src/report/sarif.js';
import type { FileReport } from '../src/report/report.js';
import { makeTempDir, prepareCli, PROJECT_ROOT, readBytes, removeTempDirs, runCli, writeTree } from './helpers/cli.js';
import { FIXTURES_DIR, fixtureCases, readExact } from './helpers/fixtures.js';
import { applyByLines, applyByOffsets, fixReplacements, sarifSchemaErrors } from './helpers/sarif.js';
import { corpusFiles, sharedCorpusMissing, sharedCorpusTestsRun } from './helpers/shared-corpus.mjs';


const CHANGE_RULES = new Set(['writable-root', 'tmpfs-missing', 'obsolete-env']);

/** The SARIF log of converting one text named `compose.yml` in the working directory. */
function logOf(input: string, options: ConvertOptions, mode: 'preview' | 'write' | 'check' = 'check') {
  const result = convert(input, options);
  const report: FileReport = { path: 'compose.yml', status: result.changed ? 'changed' : 'unchanged', written: false, error: null, services: result.services, skippedUntested: [] };
  return { result, log: sarifLog([{ report, input, replacements: result.replacements }], { mode, cwd: process.cwd(), version: '0.0.0-test' }) };
}

const resultsOf = (log: Sarif.Log) => log.runs[0]!.results!;

describe.each(fixtureCases())('fixture $name', (fixture) => {
  const options = fixture.options as ConvertOptions;
  const { result, log } = logOf(fixture.input, options);

  it('gives a log that validates against the SARIF 2.1.0 schema', () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('has fixes that, applied by character offsets, give exactly output.yml', () => {
    expect(applyByOffsets(fixture.input, fixReplacements(log, 'compose.yml'))).toBe(fixture.output);
  });

  it('has fixes that, applied by lines and columns, give exactly output.yml', () => {
    expect(applyByLines(fixture.input, fixReplacements(log, 'compose.yml'))).toBe(fixture.output);
  });

  it("has one result per service that needs changes, at the line and column of the service's key", () => {
    const serviceResults = resultsOf(log).filter((r) => CHANGE_RULES.has(r.ruleId!));
    const changing = result.services.filter((s) => s.changes.length > 0);
    expect(serviceResults.map((r) => r.locations![0]!.logicalLocations![0]!.name)).toEqual(changing.map((s) => s.name));
    const lines = fixture.input.replace(/^\ufeff/, '').split('\n');
    for (const [index, r] of serviceResults.entries()) {
      const { startLine, startColumn } = r.locations![0]!.physicalLocation!.region!;
      // The key as written: bare, or in quotes.
      expect(lines[startLine! - 1]!.slice(startColumn! - 1)).toMatch(new RegExp(`^["']?${changing[index]!.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });
});

const corpusRuns = sharedCorpusTestsRun('sarif.test', 'the SARIF fixes replayed on the real-world files of ../shared/corpus');

describe.skipIf(!corpusRuns)('the real-world files of ../shared/corpus', () => {
  it('are there (CI must not skip them)', () => {
    expect(sharedCorpusMissing).toBeNull();
  });

  it('give, for every file converted, a valid log whose fixes reproduce the conversion byte for byte', () => {
    const failures: string[] = [];
    let converted = 0;
    for (const file of corpusFiles()) {
      const input = readExact(file);
      const name = relative(PROJECT_ROOT, file);
      let outcome;
      try {
        outcome = logOf(input, { all: true });
      } catch (error) {
        // A refused input has no log to check; an `internal` refusal is a bug in ro-convert.
        if (error instanceof ConvertError && error.code !== 'internal') continue;
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const { result, log } = outcome;
      if (result.changed) converted++;
      const errors = sarifSchemaErrors(log);
      if (errors.length) failures.push(`${name}: ${errors[0]}`);
      const replacements = fixReplacements(log, 'compose.yml');
      if (applyByOffsets(input, replacements) !== result.output) failures.push(`${name}: by offsets`);
      if (applyByLines(input, replacements) !== result.output) failures.push(`${name}: by lines`);
    }
    expect(failures).toEqual([]);
    expect(converted).toBeGreaterThan(0);
  });
});

describe('results and rules', () => {
  const sonarr = readExact(join(FIXTURES_DIR, 'sonarr-sample', 'input.yml'));

  it('has a validator that rejects a log breaking the schema', () => {
    const { log } = logOf(sonarr, { services: ['sonarr'] });
    const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    broken.runs[0]!.results[0]!.level = 'severe';
    expect(sarifSchemaErrors(broken).join('\n')).toMatch(/level/);
    expect(sarifSchemaErrors({ ...log, version: '2.0.0' })).not.toEqual([]);
  });

  it('names a rule for every result (ruleIndex points at its id), once each', () => {
    const { log } = logOf(sonarr, { services: ['sonarr'] });
    const rules = log.runs[0]!.tool.driver.rules!;
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of resultsOf(log)) expect(rules[r.ruleIndex!]!.id).toBe(r.ruleId);
  });

  it('takes the first kind of change a service needs as its rule: not read-only, then tmpfs, then variables', () => {
    const kinds = (text: string) => resultsOf(logOf(text, { all: true }).log).filter((r) => CHANGE_RULES.has(r.ruleId!)).map((r) => r.ruleId);
    const image = 'image: lscr.io/linuxserver/sonarr';
    expect(kinds(`services:\n  a:\n    ${image}\n    environment: [PUID=1]\n`)).toEqual(['writable-root']);
    expect(kinds(`services:\n  a:\n    ${image}\n    read_only: true\n    environment: [PUID=1]\n`)).toEqual(['tmpfs-missing']);
    expect(kinds(`services:\n  a:\n    ${image}\n    read_only: true\n    tmpfs: [/run:exec]\n    environment: [PUID=1]\n`)).toEqual(['obsolete-env']);
    expect(kinds(`services:\n  a:\n    ${image}\n    read_only: true\n    tmpfs: [/run:exec]\n`)).toEqual([]);
  });

  it('makes a service that needs changes an error under --check and its rule level otherwise', () => {
    const level = (mode: 'preview' | 'check') => resultsOf(logOf(sonarr, { services: ['sonarr'] }, mode).log).find((r) => r.ruleId === 'writable-root')!.level;
    expect(level('check')).toBe('error');
    expect(level('preview')).toBe('warning');
  });

  it('reports each warning under its own code, at its line, with its rule level', () => {
    const { result, log } = logOf(sonarr, { services: ['sonarr'] });
    const warnings = result.services[0]!.warnings;
    expect(warnings.map((w) => w.code)).toContain('uid-changes');
    const rules = log.runs[0]!.tool.driver.rules!;
    const warningResults = resultsOf(log).filter((r) => !CHANGE_RULES.has(r.ruleId!));
    expect(warningResults.map((r) => r.ruleId)).toEqual(warnings.map((w) => w.code));
    for (const [index, r] of warningResults.entries()) {
      expect(r.level).toBe(rules[r.ruleIndex!]!.defaultConfiguration!.level);
      expect(r.locations![0]!.physicalLocation!.region!.startLine).toBe(warnings[index]!.line);
      expect(r.fixes).toBeUndefined();
    }
  });

  it('gives each service of a file its own fix, the edits in its own block', () => {
    const text = 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n    environment: [PUID=1]\n  b:\n    image: lscr.io/linuxserver/radarr\n    environment:\n      - PGID=1\n';
    const { log } = logOf(text, { all: true });
    const [a, b] = resultsOf(log).filter((r) => CHANGE_RULES.has(r.ruleId!));
    const starts = (r: Sarif.Result) => r.fixes![0]!.artifactChanges[0]!.replacements.map((x) => x.deletedRegion.charOffset!);
    const keyB = text.indexOf('b:');
    // a's read_only and tmpfs lines go in just before b's key line: still a's block.
    expect(starts(a!)).toEqual([text.indexOf('    environment: [PUID=1]'), text.indexOf('  b:')]);
    expect(starts(b!).every((offset) => offset > keyB)).toBe(true);
    expect(starts(a!).length + starts(b!).length).toBe(fixReplacements(log, 'compose.yml').length);
  });

  it('keeps a fix byte-exact on one line holding both services (a flow mapping)', () => {
    const text = 'services: {a: {image: lscr.io/linuxserver/sonarr, environment: [PUID=1]}, b: {image: lscr.io/linuxserver/radarr}}\r\n';
    const { result, log } = logOf(text, { all: true });
    const fixes = resultsOf(log).filter((r) => r.fixes);
    expect(fixes).toHaveLength(2);
    expect(applyByOffsets(text, fixReplacements(log, 'compose.yml'))).toBe(result.output);
  });

  it('counts offsets and first-line columns after a byte order mark, in UTF-16 code units', () => {
    const text = '\ufeffservices:\n  a: {image: "lscr.io/linuxserver/sonarr", labels: {x: "😀"}}\n';
    const { result, log } = logOf(text, { all: true });
    expect(log.runs[0]!.columnKind).toBe('utf16CodeUnits');
    const replacements = fixReplacements(log, 'compose.yml');
    expect(applyByOffsets(text, replacements)).toBe(result.output);
    expect(applyByLines(text, replacements)).toBe(result.output);
    // The insertion comes after the emoji: two code units, not one code point.
    const last = replacements.at(-1)!.deletedRegion;
    expect(last.charOffset).toBe(text.indexOf('}}') + 1 - '\ufeff'.length);
  });
});

describe('the command line', () => {
  beforeAll(() => {
    prepareCli();
  });
  afterAll(() => {
    removeTempDirs();
  });

  const sarifOf = (stdout: string) => JSON.parse(stdout) as Sarif.Log;

  it.each(['sonarr', 'media-stack', 'four-space', 'crlf'])("reproduces --write byte for byte on examples/%s with the fixes of `--all --check --format sarif`", (name) => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'stack'));
    copyFileSync(join(PROJECT_ROOT, 'examples', name, 'compose.yml'), join(dir, 'stack', 'compose.yml'));
    const input = readBytes(join(dir, 'stack', 'compose.yml'));
    const check = runCli(['--all', '--check', '--format', 'sarif', 'stack/compose.yml'], { cwd: dir });
    expect(check.status).toBe(1);
    const log = sarifOf(check.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0]!.invocations![0]!.executionSuccessful).toBe(true);
    const replacements = fixReplacements(log, 'stack/compose.yml');
    expect(replacements.length).toBeGreaterThan(0);
    expect(runCli(['--all', '--write', '--quiet', 'stack/compose.yml'], { cwd: dir }).status).toBe(0);
    const written = readBytes(join(dir, 'stack', 'compose.yml'));
    expect(written).not.toBe(input);
    expect(applyByOffsets(input, replacements)).toBe(written);
    expect(applyByLines(input, replacements)).toBe(written);
  });

  it('offers no fixes for a file --write has written (its regions are gone), and still reports its findings', () => {
    const dir = makeTempDir();
    const compose = 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n';
    writeTree(dir, { 'compose.yml': compose });
    const run = runCli(['--all', '--write', '--format', 'sarif', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(readBytes(join(dir, 'compose.yml'))).not.toBe(compose);
    const log = sarifOf(run.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(resultsOf(log).map((r) => [r.ruleId, r.level, r.fixes])).toEqual([['writable-root', 'warning', undefined]]);
  });

  it('names files relative to the working directory (URI-encoded), outside it by file URI, standard input by description', () => {
    const dir = makeTempDir();
    const outside = makeTempDir();
    const compose = 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n';
    writeTree(dir, { 'my stack/compose.yml': compose });
    writeTree(outside, { 'compose.yml': compose });
    const run = runCli(['--all', '--format', 'sarif', 'my stack/compose.yml', join(outside, 'compose.yml'), '-'], { cwd: dir, input: compose });
    expect(run.status).toBe(0);
    const log = sarifOf(run.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const places = resultsOf(log).map((r) => r.locations![0]!.physicalLocation!.artifactLocation);
    expect(places).toEqual([
      { uri: 'my%20stack/compose.yml', uriBaseId: '%SRCROOT%' },
      { uri: pathToFileURL(join(outside, 'compose.yml')).href },
      { description: { text: 'standard input' } },
    ]);
    expect(log.runs[0]!.originalUriBaseIds).toHaveProperty(['%SRCROOT%']);
  });

  it('reports a file it cannot convert as a failed execution, and still the others', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'bad.yml': readExact(join(FIXTURES_DIR, 'errors', 'duplicate-key.yml')), 'good.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n' });
    const run = runCli(['--all', '--check', '--format', 'sarif', 'bad.yml', 'good.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    const log = sarifOf(run.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const invocation = log.runs[0]!.invocations![0]!;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toMatchObject([
      { level: 'error', descriptor: { id: 'invalid-yaml' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'bad.yml' }, region: { startLine: 5, startColumn: 5 } } }] },
    ]);
    expect(resultsOf(log).map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri)).toEqual(['good.yml']);
  });

  it('takes --json as --format json and refuses a second format, an unknown one, and --stdout with one', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'compose.yml': 'services:\n  a:\n    image: lscr.io/linuxserver/sonarr\n' });
    const json = runCli(['--all', '--json', 'compose.yml'], { cwd: dir });
    expect(runCli(['--all', '--format', 'json', 'compose.yml'], { cwd: dir }).stdout).toBe(json.stdout);
    expect(JSON.parse(json.stdout)).toHaveProperty('summary');
    for (const args of [['--json', '--format', 'sarif'], ['--format', 'xml'], ['--stdout', '--format', 'sarif']]) {
      const run = runCli(['--all', ...args, 'compose.yml'], { cwd: dir });
      expect({ args, status: run.status, stdout: run.stdout }).toEqual({ args, status: 2, stdout: '' });
    }
  });
});
