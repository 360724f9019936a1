// The npm package as a user gets it: packed, installed into an empty project from the
// tarball, and run from there with no reference to this source tree.
import { execFileSync, spawnSync } from 'node:child_process';
import type { SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKERS_ENV } from '../src/io/pool.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  main: string;
  types: string;
  engines: { node: string };
  exports: Record<string, { types: string; import: string } | string>;
};
const tsc = join(projectRoot, 'node_modules/typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const SONARR = `services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:latest
    environment:
      - PUID=1000
      - PGID=1000
      - TZ=Etc/UTC
`;

interface PackedFile {
  path: string;
  size: number;
}

function run(command: string, args: string[], options: SpawnSyncOptions & { cwd: string }) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26, ...options });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The API's declaration files: the types entry and every relative import it reaches. */
function declarationClosure(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [posix.normalize(entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(projectRoot, file), 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"](\.[^'"]+)['"]/g)) queue.push(posix.join(posix.dirname(file), spec!.replace(/\.js$/, '.d.ts')));
  }
  return [...seen].sort();
}

beforeAll(() => {
  if (!existsSync(join(projectRoot, 'dist/cli.js'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
});

describe('package.json', () => {
  it('declares a bin with a shebang, engines, and exports whose types exist', () => {
    expect(pkg.bin).toEqual({ 'ro-convert': 'dist/cli.js' });
    expect(readFileSync(join(projectRoot, pkg.bin['ro-convert']!), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(pkg.engines.node).toBe('>=20');
    const root = pkg.exports['.'];
    expect(root).toEqual({ types: `./${pkg.types}`, import: `./${pkg.main}` });
    expect(existsSync(join(projectRoot, pkg.types))).toBe(true);
    expect(existsSync(join(projectRoot, pkg.main))).toBe(true);
  });
});

describe('npm pack', () => {
  let files: PackedFile[] = [];
  let size = 0;
  beforeAll(() => {
    // --ignore-scripts: `prepare` would rebuild dist/ under the other test files' feet.
    const [report] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: projectRoot, encoding: 'utf8' })) as [{ files: PackedFile[]; size: number }];
    files = report.files;
    size = report.size;
  });

  it('holds only what runs: the bundles, declarations, README, LICENSE and package.json', () => {
    const paths = files.map((f) => f.path);
    const expected = ['dist/package.json', 'dist/cli.js', 'dist/cli-app.js', 'dist/cli-app.cache', 'dist/worker.js', 'dist/index.mjs', 'package.json', 'LICENSE'];
    if (existsSync(join(projectRoot, 'README.md'))) expected.push('README.md');
    expect(paths).toEqual(expect.arrayContaining(expected));
    const stray = paths.filter((p) => !expected.includes(p) && !/^dist\/types\/.+\.d\.ts$/.test(p));
    expect(stray).toEqual([]);
    expect(size).toBeLessThan(1_000_000);
  });

  it('includes every declaration file the API types reach', () => {
    const packed = new Set(files.map((f) => f.path));
    const missing = declarationClosure(pkg.types).filter((file) => !packed.has(file));
    expect(missing).toEqual([]);
  });
});

describe('installed from the tarball into an empty project', () => {
  let project = '';
  const inProject = (command: string, args: string[], input?: string, env: Record<string, string> = {}) => run(command, args, { cwd: project, input, env: { ...process.env, NO_COLOR: '1', ...env } });

  beforeAll(() => {
    const scratch = mkdtempSync(join(tmpdir(), 'ro-convert-package-'));
    project = join(scratch, 'consumer');
    mkdirSync(project);
    const packed = run(npm, ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: projectRoot });
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = readdirSync(scratch).find((f) => f.startsWith(`${pkg.name}-`) && f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`);
    // Dependencies come from the npm cache; fall back to the registry only if it lacks them.
    const install = (mode: string) => inProject(npm, ['install', mode, '--no-audit', '--no-fund', join('..', tarball!)]);
    let installed = install('--offline');
    if (installed.status !== 0) installed = install('--prefer-offline');
    expect(installed.status, installed.stderr).toBe(0);
  }, 60_000);

  afterAll(() => {
    if (project) rmSync(dirname(project), { recursive: true, force: true });
  });

  it('runs the bin: --version', () => {
    const result = inProject(join(project, 'node_modules/.bin/ro-convert'), ['--version']);
    expect(result).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
  });

  it('converts a file in place', () => {
    writeFileSync(join(project, 'compose.yml'), SONARR);
    const result = inProject(join(project, 'node_modules/.bin/ro-convert'), ['--service', 'sonarr', '--write', '--quiet', 'compose.yml']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const written = readFileSync(join(project, 'compose.yml'), 'utf8');
    expect(written).toContain('    read_only: true\n    tmpfs:\n      - /run:exec\n');
    expect(written).not.toContain('PUID');
  });

  it('checks a tree on the worker threads', () => {
    const tree = join(project, 'stacks');
    // Several chunks of 16 for each of the two workers asked for below.
    const count = 100;
    for (let i = 0; i < count; i++) {
      mkdirSync(join(tree, `s${i}`), { recursive: true });
      writeFileSync(join(tree, `s${i}`, 'compose.yml'), SONARR);
    }
    // Workers asked for, so a worker missing from the package fails the run on any machine.
    const result = inProject(join(project, 'node_modules/.bin/ro-convert'), ['--supported', '--check', '--json', 'stacks'], undefined, { [WORKERS_ENV]: '2' });
    expect(result.status, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { files: { status: string }[] };
    expect(report.files).toHaveLength(count);
    expect(report.files.every((f) => f.status === 'changed')).toBe(true);
  });

  it("imports the API by name: import { convert } from 'ro-convert'", () => {
    const script = `import { convert, ConvertError } from 'ro-convert';
      const r = convert(${JSON.stringify(SONARR)}, { services: ['sonarr'] });
      let code = null;
      try { convert('services: [', { all: true }); } catch (e) { code = e instanceof ConvertError ? e.code : String(e); }
      console.log(JSON.stringify({ changed: r.changed, codes: r.services[0].changes.map((c) => c.code).sort(), code }));`;
    const result = inProject(process.execPath, ['--input-type=module', '-e', script]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ changed: true, codes: ['env-removed', 'env-removed', 'read-only-added', 'tmpfs-added'], code: expect.any(String) });
  });

  it('type-checks a TypeScript consumer against the installed declarations', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, types: [] }, files: ['check.ts'] }),
    );
    writeFileSync(
      join(project, 'check.ts'),
      `import { convert, ConvertError } from 'ro-convert';
import type { ChangeCode, ConvertResult, WarningCode } from 'ro-convert';
const result: ConvertResult = convert('services: {}\\n', { services: ['sonarr'], keepEnv: ['TZ'] });
const text: string = result.output;
const diff: string = result.diff;
const codes: ChangeCode[] = result.services.flatMap((s) => s.changes.map((c) => c.code));
const warned: WarningCode[] = result.services.flatMap((s) => s.warnings.map((w) => w.code));
const line: number | null = new ConvertError('invalid-yaml', 'x', 1, 1).line;
// Proof that the types are real (not any): these must be errors.
// @ts-expect-error services is a list of names
convert('', { services: 'sonarr' });
// @ts-expect-error not an error code
new ConvertError('no-such-code', 'x');
export { text, diff, codes, warned, line };
`,
    );
    const result = inProject(process.execPath, [tsc, '-p', '.']);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 30_000);
});
