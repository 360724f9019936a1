// scripts/corpus-allowed.mjs against a stand-in for ../shared/tools/corpus-check: a script that
// prints what the oracle prints with --verbose --keep and leaves the converted copies it is
// given, so each kind of the allow list is checked without the shared corpus.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Prints spec.lines (`$KEPT` standing for the copies' folder), writes spec.copies there, records
// its arguments, exits with spec.status.
const FAKE_ORACLE = `#!/usr/bin/env node
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const here = new URL('.', import.meta.url).pathname;
const spec = JSON.parse(readFileSync(join(here, 'spec.json'), 'utf8'));
writeFileSync(join(here, 'args.json'), JSON.stringify(process.argv.slice(2)));
const kept = mkdtempSync(join(tmpdir(), 'fake-corpus-check-'));
for (const [name, text] of Object.entries(spec.copies)) writeFileSync(join(kept, name), text);
for (const line of spec.lines) console.log(line.replace('$KEPT', kept));
process.exit(spec.status);
`;

const PASS = 'corpus-check: files=4 checked=4 skipped=0 tool_errors=0 semantic=0 collateral_lines=0 conventions=0 idempotency=0 crashes=0 bulk_ms=1 => PASS';
const FAIL = PASS.replace('semantic=0', 'semantic=1').replace('=> PASS', '=> FAIL');

// Each corpus file: the original, the converted copy, and what the oracle prints about it.
interface Case {
  input: string;
  output: string;
  problems: string[];
}
const refused: Case = {
  input: 'services:\n  proxy:\n    image: example/proxy\n    tmpfs: [/run, /run:exec]\n',
  output: 'services:\n  proxy:\n    image: example/proxy\n    tmpfs: [/run, /run:exec]\n',
  problems: [
    'tool error: {"code":"no-placement","message":"service proxy: two mounts at /run; keep one; nothing was written"}',
    'service proxy: read_only is undefined, expected true',
  ],
};
const otherRefusal: Case = {
  input: 'x-run: &run [/run]\nservices:\n  app:\n    image: lscr.io/linuxserver/sonarr\n    tmpfs: *run\n',
  output: 'x-run: &run [/run]\nservices:\n  app:\n    image: lscr.io/linuxserver/sonarr\n    tmpfs: *run\n',
  problems: ['tool error: {"code":"shared-node","message":"service app: its tmpfs list is shared; nothing was written"}', 'service app: read_only is undefined, expected true'],
};
const ALLOW = ['# header', 'refused.yml refused:no-placement:proxy', 'other.yml refused:shared-node:app the list is an alias'].join('\n');
const ALL = { 'refused.yml': refused, 'other.yml': otherRefusal };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ro-convert-corpus-allowed-'));
  mkdirSync(join(dir, 'corpus'));
  writeFileSync(join(dir, 'corpus-check'), FAKE_ORACLE);
  chmodSync(join(dir, 'corpus-check'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the check over `cases` with the allow list `allow`; the oracle ends with `summary`. */
function check(cases: Record<string, Case>, allow = ALLOW, summary = PASS, unlisted: Record<string, Case> = {}) {
  const lines: string[] = [];
  for (const [name, c] of Object.entries({ ...cases, ...unlisted })) {
    writeFileSync(join(dir, 'corpus', name), c.input);
    if (c.problems.length) lines.push(`${join(dir, 'corpus', name)}${name in cases ? '  [allowed: …]' : ''}`, ...c.problems.map((p) => `    ${p}`));
  }
  lines.push('copies kept in $KEPT', summary);
  const copies = Object.fromEntries(Object.entries({ ...cases, ...unlisted }).map(([name, c]) => [name, c.output]));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({ lines, copies, status: summary === PASS ? 0 : 1 }));
  writeFileSync(join(dir, 'allow.txt'), `${allow}\n`);
  const run = spawnSync(process.execPath, ['scripts/corpus-allowed.mjs', '--allow', join(dir, 'allow.txt'), '--oracle', join(dir, 'corpus-check')], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('scripts/corpus-allowed.mjs', () => {
  it('passes when every problem of every listed file is of the kind its line names, and asks the oracle to print and keep all', () => {
    const result = check(ALL);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('allowed_files=2 explained refused=4 unexplained=0 stale=0 list_errors=0 => PASS');
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8'))).toEqual(['--allow', join(dir, 'allow.txt'), '--verbose', '--keep']);
  });

  it('finds a stray line the oracle did not print (it prints five collateral lines at most) by diffing the kept copy', () => {
    const stray = { ...refused, output: `${refused.output}    labels: {}\n` };
    const result = check({ ...ALL, 'refused.yml': stray });
    expect(result.stdout).toContain('  not of a listed kind: refused.yml: collateral line +    labels: {}\n');
    expect(result.stdout).toContain('unexplained=3 stale=1 list_errors=0 => FAIL');
    expect(result.status).toBe(1);
  });

  it('fails on a collateral line the oracle printed that the diff of the copy does not give', () => {
    const result = check({ ...ALL, 'refused.yml': { ...refused, problems: [...refused.problems, 'collateral line +    labels: {}'] } });
    expect(result.stdout).toContain('  not of a listed kind: refused.yml: collateral line +    labels: {} (printed by the oracle, not recomputed here)\n');
    expect(result.status).toBe(1);
  });

  it('a refusal is explained only with its code, about its service, and with the file left as it was', () => {
    const written = check({ ...ALL, 'refused.yml': { ...refused, output: `${refused.output}# touched\n` } });
    expect(written.stdout).toContain('  not of a listed kind: refused.yml: tool error: {"code":"no-placement"');
    expect(written.stdout).toContain('  not of a listed kind: refused.yml: service proxy: read_only is undefined, expected true\n');
    expect(written.status).toBe(1);
    const otherService = check(ALL, ALLOW.replace('refused:no-placement:proxy', 'refused:no-placement:web'));
    expect(otherService.stdout).toContain('  not of a listed kind: refused.yml: tool error: {"code":"no-placement"');
    expect(otherService.status).toBe(1);
    const otherCode = check(ALL, ALLOW.replace('refused:no-placement:proxy', 'refused:shared-node:proxy'));
    expect(otherCode.stdout).toContain('  not of a listed kind: refused.yml: tool error: {"code":"no-placement"');
    expect(otherCode.status).toBe(1);
  });

  it('a whole-file refusal (refused:CODE) is explained by its code alone, with the file left as it was', () => {
    const project: Case = {
      input: 'include: [missing.yml]\nservices:\n  app:\n    image: lscr.io/linuxserver/sonarr\n',
      output: 'include: [missing.yml]\nservices:\n  app:\n    image: lscr.io/linuxserver/sonarr\n',
      problems: ['tool error: {"code":"bad-project","message":"missing.yml: included file not found"}', 'service app: read_only is undefined, expected true'],
    };
    const good = check({ ...ALL, 'project.yml': project }, `${ALLOW}\nproject.yml refused:bad-project`);
    expect(good.stdout).toContain('allowed_files=3 explained refused=6 unexplained=0 stale=0 list_errors=0 => PASS');
    const otherCode = check({ ...ALL, 'project.yml': project }, `${ALLOW}\nproject.yml refused:no-placement`);
    expect(otherCode.stdout).toContain('  not of a listed kind: project.yml: tool error: {"code":"bad-project"');
    expect(otherCode.status).toBe(1);
  });

  it('fails on a listed file without problems, a kind left unused and a kind outside the list', () => {
    const clean: Case = { input: 'services: {}\n', output: 'services: {}\n', problems: [] };
    // The kinds the oracle has learnt are no longer allowed.
    const allow = `${ALLOW.replace('refused:no-placement:proxy', 'refused:no-placement:proxy,umask-set')}\nclean.yml refused:no-placement:x\nother2.yml refused:shared-node:app,refused:no-placement:app`;
    const result = check({ ...ALL, 'clean.yml': clean, 'other2.yml': otherRefusal }, allow);
    expect(result.stdout).toContain('  stale: clean.yml: listed, but the oracle finds no problem in it now (remove its line)\n');
    expect(result.stdout).toContain('  stale: other2.yml: lists refused:no-placement:app, but no problem of that kind is left (remove it)\n');
    expect(result.stdout).toMatch(/ {2}list: .*allow\.txt:2: unknown kind umask-set\n/);
    expect(result.stdout).toContain('unexplained=0 stale=2 list_errors=1 => FAIL');
    expect(result.status).toBe(1);
  });

  it("fails when the oracle fails on a file that is not listed, and prints the oracle's lines for it", () => {
    const { 'other.yml': unlisted, ...listed } = ALL;
    const result = check(listed, ALLOW.replace(/\nother\.yml .*$/, ''), FAIL, { 'other.yml': unlisted });
    expect(result.stdout).toContain(`${join(dir, 'corpus', 'other.yml')}\n    ${otherRefusal.problems[0]}\n`);
    expect(result.stdout).toContain(FAIL);
    expect(result.stdout).not.toContain('refused.yml'); // the listed files' lines are checked, not echoed
    expect(result.stdout).toContain('unexplained=0 stale=0 list_errors=0 => FAIL');
    expect(result.status).toBe(1);
  });
});
