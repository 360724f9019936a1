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
/** One service `name` of `image`, and the same with read_only and the tmpfs `entries` added. */
const converted = (name: string, image: string, entries: string[]) => {
  const input = `services:\n  ${name}:\n    image: ${image}\n`;
  return { input, output: `${input}    read_only: true\n    tmpfs:\n${entries.map((e) => `      - ${e}\n`).join('')}` };
};
const postgres: Case = {
  ...converted('db', 'postgres:${PG_VERSION:-16}', ['/var/run/postgresql', '/tmp']),
  problems: ['service db: other tmpfs entries changed: [] -> ["/var/run/postgresql","/tmp"]'],
};
const nginx: Case = {
  ...converted('web', 'docker.io/nginx:1.27', ['/run', '/var/cache/nginx', '/tmp']),
  problems: [
    'service web: /run tmpfs entry "/run" lacks exec',
    'service web: other tmpfs entries changed: [] -> ["/var/cache/nginx","/tmp"]',
    'collateral line +      - /var/cache/nginx',
  ],
};
const umask: Case = {
  input: 'services:\n  app:\n    image: lscr.io/linuxserver/plex\n    environment:\n      - PUID=1000\n      - UMASK_SET=022\n      - TZ=UTC\n',
  output: 'services:\n  app:\n    image: lscr.io/linuxserver/plex\n    environment:\n      - TZ=UTC\n    read_only: true\n    tmpfs:\n      - /run:exec\n',
  problems: ['service app: environment changed beyond stripping: [["UMASK_SET","022"],["TZ","UTC"]] -> [["TZ","UTC"]]'],
};
const refused: Case = {
  input: 'services:\n  proxy:\n    image: example/proxy\n    tmpfs: [/run, /run:exec]\n',
  output: 'services:\n  proxy:\n    image: example/proxy\n    tmpfs: [/run, /run:exec]\n',
  problems: [
    'tool error: {"code":"no-placement","message":"service proxy: two mounts at /run; keep one; nothing was written"}',
    'service proxy: read_only is undefined, expected true',
  ],
};
const ALLOW = [
  '# header',
  'postgres.yml companion-tmpfs',
  'nginx.yml companion-tmpfs,run-plain the added entry line names a companion path',
  'umask.yml umask-set',
  'refused.yml refused:no-placement:proxy',
].join('\n');
const ALL = { 'postgres.yml': postgres, 'nginx.yml': nginx, 'umask.yml': umask, 'refused.yml': refused };

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
  it('passes when every problem of every listed file is of a kind its line names, and asks the oracle to print and keep all', () => {
    const result = check(ALL);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('allowed_files=4 explained companion-tmpfs=3 run-plain=1 umask-set=1 refused=2 unexplained=0 stale=0 list_errors=0 => PASS');
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8'))).toEqual(['--allow', join(dir, 'allow.txt'), '--verbose', '--keep']);
  });

  it('finds a stray line the oracle did not print (it prints five collateral lines at most) by diffing the kept copy', () => {
    const stray = { ...nginx, output: nginx.output.replace('    read_only: true\n', '    read_only: true\n    labels: {}\n') };
    const result = check({ ...ALL, 'nginx.yml': stray });
    expect(result.stdout).toContain('  not of a listed kind: nginx.yml: collateral line +    labels: {}\n');
    expect(result.stdout).toContain('unexplained=1 stale=0 list_errors=0 => FAIL');
    expect(result.status).toBe(1);
  });

  it('fails on a collateral line the oracle printed that the diff of the copy does not give', () => {
    const result = check({ ...ALL, 'nginx.yml': { ...nginx, problems: [...nginx.problems, 'collateral line +    labels: {}'] } });
    expect(result.stdout).toContain('  not of a listed kind: nginx.yml: collateral line +    labels: {} (printed by the oracle, not recomputed here)\n');
    expect(result.status).toBe(1);
  });

  it('companion-tmpfs explains only the entries the companion table adds for that image', () => {
    const extra = '["/var/run/postgresql","/tmp","/var/lib/postgresql"]';
    const wrong = { ...postgres, problems: [`service db: other tmpfs entries changed: [] -> ${extra}`] };
    const result = check({ ...ALL, 'postgres.yml': wrong });
    expect(result.stdout).toContain(`  not of a listed kind: postgres.yml: service db: other tmpfs entries changed: [] -> ${extra}\n`);
    // postgres is listed for companion-tmpfs and has no other problem: the kind is left unused
    expect(result.stdout).toContain('  stale: postgres.yml: lists companion-tmpfs, but no problem of that kind is left (remove it)\n');
    expect(result.status).toBe(1);
  });

  it('run-plain explains /run without exec only for an image whose record says "run": "plain"', () => {
    const noExec = { ...postgres, problems: [...postgres.problems, 'service db: /run tmpfs entry "/run" lacks exec'] };
    const result = check({ ...ALL, 'postgres.yml': noExec }, ALLOW.replace('postgres.yml companion-tmpfs', 'postgres.yml companion-tmpfs,run-plain'));
    expect(result.stdout).toContain('  not of a listed kind: postgres.yml: service db: /run tmpfs entry "/run" lacks exec\n');
    expect(result.status).toBe(1);
  });

  it('umask-set explains an environment that lost UMASK_SET and nothing else', () => {
    const lostMore = { ...umask, problems: ['service app: environment changed beyond stripping: [["UMASK_SET","022"],["TZ","UTC"]] -> []'] };
    const result = check({ ...ALL, 'umask.yml': lostMore });
    expect(result.stdout).toContain('  not of a listed kind: umask.yml: service app: environment changed beyond stripping: [["UMASK_SET","022"],["TZ","UTC"]] -> []\n');
    expect(result.status).toBe(1);
  });

  it('own-environment explains a merge line giving way to copied entries a service had, and nothing else', () => {
    const input = 'x-env: &env\n  TZ: UTC\n  PUID: 1000\nservices:\n  app:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      <<: *env\n  web:\n    image: nginx\n    environment: *env\n';
    const ownEnv: Case = { input, output: input.replace('      <<: *env\n', '      TZ: UTC\n'), problems: ['collateral line -      <<: *env', 'collateral line +      TZ: UTC'] };
    const allow = `${ALLOW}\nown.yml own-environment`;
    const good = check({ ...ALL, 'own.yml': ownEnv }, allow);
    expect(good.stdout).toContain('own-environment=2 unexplained=0 stale=0 list_errors=0 => PASS');
    expect(good.status).toBe(0);
    // A value the input never had is not a copy.
    const changed = check({ ...ALL, 'own.yml': { ...ownEnv, output: input.replace('      <<: *env\n', '      TZ: Europe/Paris\n') } }, allow);
    expect(changed.stdout).toContain('  not of a listed kind: own.yml: collateral line +      TZ: Europe/Paris\n');
    expect(changed.status).toBe(1);
    // Only a merge line gives way.
    const removed = check({ ...ALL, 'own.yml': { ...ownEnv, output: ownEnv.output.replace('    image: nginx\n', '') } }, allow);
    expect(removed.stdout).toContain('  not of a listed kind: own.yml: collateral line -    image: nginx\n');
    expect(removed.status).toBe(1);
  });

  it('a refusal is explained only with its code, about its service, and with the file left as it was', () => {
    const written = check({ ...ALL, 'refused.yml': { ...refused, output: `${refused.output}# touched\n` } });
    expect(written.stdout).toContain('  not of a listed kind: refused.yml: tool error: {"code":"no-placement"');
    expect(written.stdout).toContain('  not of a listed kind: refused.yml: service proxy: read_only is undefined, expected true\n');
    expect(written.status).toBe(1);
    const otherService = check(ALL, ALLOW.replace('refused:no-placement:proxy', 'refused:no-placement:web'));
    expect(otherService.stdout).toContain('  not of a listed kind: refused.yml: tool error: {"code":"no-placement"');
    expect(otherService.status).toBe(1);
  });

  it('fails on a listed file without problems, a kind left unused and a kind outside the list', () => {
    const clean: Case = { input: 'services: {}\n', output: 'services: {}\n', problems: [] };
    const allow = `${ALLOW.replace('umask.yml umask-set', 'umask.yml umask-set,run-plain').replace('postgres.yml companion-tmpfs', 'postgres.yml companion-tmpfs,tmpfs')}\nclean.yml umask-set`;
    const result = check({ ...ALL, 'clean.yml': clean }, allow);
    expect(result.stdout).toContain('  stale: clean.yml: listed, but the oracle finds no problem in it now (remove its line)\n');
    expect(result.stdout).toContain('  stale: umask.yml: lists run-plain, but no problem of that kind is left (remove it)\n');
    expect(result.stdout).toMatch(/ {2}list: .*allow\.txt:2: unknown kind tmpfs\n/);
    expect(result.stdout).toContain('unexplained=0 stale=2 list_errors=1 => FAIL');
    expect(result.status).toBe(1);
  });

  it("fails when the oracle fails on a file that is not listed, and prints the oracle's lines for it", () => {
    const { 'postgres.yml': unlisted, ...listed } = ALL;
    const result = check(listed, ALLOW.replace('postgres.yml companion-tmpfs\n', ''), FAIL, { 'postgres.yml': unlisted });
    expect(result.stdout).toContain(`${join(dir, 'corpus', 'postgres.yml')}\n    ${postgres.problems[0]}\n`);
    expect(result.stdout).toContain(FAIL);
    expect(result.stdout).not.toContain('nginx.yml'); // the listed files' lines are checked, not echoed
    expect(result.stdout).toContain('unexplained=0 stale=0 list_errors=0 => FAIL');
    expect(result.status).toBe(1);
  });
});
