/**
 * `--format github` (issue 14): GitHub Actions workflow commands, escaped as the runner reads
 * them (`%`, CR and LF in messages; also `:` and `,` in properties), an `::error` for a service
 * left writable under `--check`, diffs folded into log groups.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, fileAnnotations } from '../src/report/github-annotations.js';
import type { FileReport } from '../src/report/report.js';
import { makeTempDir, prepareCli, readBytes, removeTempDirs, runCli, writeTree } from './helpers/cli.js';
import { FIXTURES_DIR, readExact } from './helpers/fixtures.js';


/** A workflow command as the runner decodes it (unescaping `%25` last, as the runner does). */
function decode(line: string): { command: string; properties: Record<string, string>; message: string } {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const unescape = (text: string, property: boolean) => {
    let out = text.replace(/%0D/g, '\r').replace(/%0A/g, '\n');
    if (property) out = out.replace(/%3A/g, ':').replace(/%2C/g, ',');
    return out.replace(/%25/g, '%');
  };
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), true);
  }
  return { command: match[1]!, properties, message: unescape(match[3]!, false) };
}

describe('escaping', () => {
  it('escapes %, CR and LF in messages, % first', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeData('literal %0A')).toBe('literal %250A');
  });

  it('escapes :, and , in properties too', () => {
    expect(escapeProperty('ro-convert: a, b\n%')).toBe('ro-convert%3A a%2C b%0A%25');
  });

  it('gives commands that decode to exactly the path, line and message', () => {
    const message = 'caveat: "50% of it\r\nbreaks", see: a,b %0A';
    const report: FileReport = {
      path: 'odd, dir/x:y.yml',
      status: 'changed',
      written: false,
      error: null,
      services: [{ name: 'app', line: 2, column: 3, readOnly: true, changes: [], warnings: [{ code: 'image-caveat', message, line: 4 }] }],
      skippedUntested: [],
    };
    const [line, ...rest] = fileAnnotations(report, 'check', process.cwd());
    expect(rest).toEqual([]);
    expect(line).not.toMatch(/[\r\n]/);
    expect(decode(line!)).toEqual({ command: 'warning', properties: { file: 'odd, dir/x:y.yml', line: '4', title: 'ro-convert: read-only caveat of the image' }, message: `service app: ${message}` });
  });
});

describe('annotations', () => {
  const report = (services: FileReport['services'], error: FileReport['error'] = null): FileReport => ({ path: 'compose.yml', status: error ? 'error' : 'changed', written: false, error, services, skippedUntested: [] });
  const service = { name: 'sonarr', line: 3, column: 3, readOnly: true, changes: [{ code: 'read-only-added' as const, message: 'added read_only: true', line: 3 }], warnings: [] };

  it('makes a service left writable an ::error under --check and a ::warning in a preview', () => {
    expect(fileAnnotations(report([service]), 'check', process.cwd())).toEqual([
      '::error file=compose.yml,line=3,col=3,title=ro-convert%3A not read-only::service sonarr: not read-only; the fix: added read_only: true',
    ]);
    expect(fileAnnotations(report([service]), 'preview', process.cwd())[0]).toMatch(/^::warning file=compose.yml,line=3,col=3,/);
  });

  it('gives a note-level warning as ::notice, and a refusal as ::error at its line and column', () => {
    const lines = fileAnnotations(
      report([{ name: 'plex', line: 2, column: 3, readOnly: true, changes: [], warnings: [{ code: 'moot-setting', message: 'VERSION=latest has no effect', line: 5 }] }], { code: 'invalid-yaml', message: 'bad', line: 7, column: 9 }),
      'check',
      process.cwd(),
    );
    expect(lines).toEqual([
      '::error file=compose.yml,line=7,col=9,title=ro-convert%3A cannot convert::bad',
      '::notice file=compose.yml,line=5,title=ro-convert%3A setting without effect::service plex: VERSION=latest has no effect',
    ]);
  });

  it('names standard input and files outside the working directory in the message, with no file property', () => {
    for (const path of ['-', '/elsewhere/compose.yml']) {
      const [line] = fileAnnotations({ ...report([service]), path }, 'check', '/work/dir');
      const decoded = decode(line!);
      expect(decoded.properties).toEqual({ title: 'ro-convert: not read-only' });
      expect(decoded.message).toBe(`${path === '-' ? 'standard input' : path}: service sonarr: not read-only; the fix: added read_only: true`);
    }
  });
});

describe('the command line', () => {
  beforeAll(() => {
    prepareCli();
  });
  afterAll(() => {
    removeTempDirs();
  });

  const SONARR_IN = readExact(join(FIXTURES_DIR, 'sonarr-sample', 'input.yml'));
  const commands = (stdout: string) => stdout.split('\n').filter((line) => /^::(error|warning|notice) /.test(line)).map(decode);

  it('fails --check with an ::error at the service key, a warning per warning, and the diff in a group', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'stacks/compose.yml': SONARR_IN });
    const run = runCli(['--service', 'sonarr', '--check', '--format', 'github', 'stacks/compose.yml'], { cwd: dir });
    expect(run.status).toBe(1);
    const found = commands(run.stdout);
    expect(found[0]).toEqual({
      command: 'error',
      properties: { file: 'stacks/compose.yml', line: '3', col: '3', title: 'ro-convert: not read-only' },
      message: 'service sonarr: not read-only; the fix: added read_only: true; added tmpfs /run:exec; removed PUID; removed PGID',
    });
    expect(found.slice(1).map((c) => [c.command, c.properties.title])).toContainEqual(['warning', 'ro-convert: file owner changes']);
    expect(run.stdout).toMatch(/^::group::ro-convert diff: stacks\/compose.yml\n--- a\/stacks\/compose.yml\n[\s\S]*\n::endgroup::\n/);
    expect(run.stderr).toMatch(/1 would change/);
    expect(readBytes(join(dir, 'stacks/compose.yml'))).toBe(SONARR_IN);
  });

  it('writes with --write and reports warnings, not errors; --quiet drops the diff and the summary', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'compose.yml': SONARR_IN });
    const run = runCli(['--service', 'sonarr', '--write', '--quiet', '--format', 'github', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/::group::|::error/);
    expect(commands(run.stdout)[0]!.command).toBe('warning');
    expect(run.stderr).toBe('');
    expect(readBytes(join(dir, 'compose.yml'))).toBe(readExact(join(FIXTURES_DIR, 'sonarr-sample', 'output.yml')));
  });

  it('annotates a file it cannot convert, escaping the properties of its path', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'a,b:c/compose.yml': readExact(join(FIXTURES_DIR, 'errors', 'duplicate-key.yml')) });
    const run = runCli(['--all', '--check', '--format', 'github', 'a,b:c/compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/^::error file=a%2Cb%3Ac\/compose.yml,line=5,col=5,title=ro-convert%3A cannot convert::/m);
    expect(commands(run.stdout)[0]!.properties.file).toBe('a,b:c/compose.yml');
  });
});
