// The library API, as a program that imports 'ro-convert' sees it: the shape of the result,
// the codes, the refusals, and the promise of no I/O.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { convert, ConvertError, DEFAULT_STRIP } from '../src/index.js';
import type { ChangeCode, ConvertOptions, ConvertResult, ErrorCode, ServiceReport, WarningCode } from '../src/index.js';
import * as api from '../src/index.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const builtIndex = resolve(projectRoot, 'dist/index.mjs');

const SONARR = `services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:latest
    environment:
      - PUID=1000
      - PGID=1000
      - TZ=Etc/UTC
    restart: unless-stopped
  web:
    image: nginx:1.27
`;

const SONARR_CONVERTED = `services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:latest
    environment:
      - TZ=Etc/UTC
    restart: unless-stopped
    read_only: true
    tmpfs:
      - /run:exec
  web:
    image: nginx:1.27
`;

describe('strip policies', () => {
  it('each adjustment strips what it says, whatever was asked before in the same process', () => {
    const stripped = (options: ConvertOptions) => ['PUID', 'PGID', 'TZ'].filter((name) => !convert(SONARR, { all: true, ...options }).output.includes(`- ${name}=`));
    for (let round = 0; round < 2; round++) {
      expect(stripped({})).toEqual(['PUID', 'PGID']);
      expect(stripped({ keepEnv: ['PGID'] })).toEqual(['PUID']);
      expect(stripped({ keepEnv: ['PGID'], stripEnv: ['TZ'] })).toEqual(['PUID', 'TZ']);
      expect(stripped({ stripEnv: ['TZ'] })).toEqual(['PUID', 'PGID', 'TZ']);
      expect(stripped({ keepEnv: ['PUID', 'PGID'] })).toEqual([]);
    }
  });
});

describe('convert(text, { warnings: false })', () => {
  it('gives the same output and changes without running the transforms that only warn', () => {
    const full = convert(SONARR, { all: true });
    const quiet = convert(SONARR, { all: true, warnings: false });
    expect(full.services.flatMap((s) => s.warnings.map((w) => w.code))).toContain('uid-changes');
    expect(quiet.output).toBe(full.output);
    expect(quiet.services.map((s) => ({ ...s, warnings: [] }))).toEqual(full.services.map((s) => ({ ...s, warnings: [] })));
    expect(quiet.services.flatMap((s) => s.warnings)).toEqual([]);
  });
});

describe('convert(text, options): the result', () => {
  const result = convert(SONARR, { services: ['sonarr'] });

  it('returns the converted text, byte for byte, and says it changed', () => {
    expect(result.output).toBe(SONARR_CONVERTED);
    expect(result.changed).toBe(true);
  });

  it('reports each selected service with change codes and 1-based lines', () => {
    expect(result.services.map((s) => s.name)).toEqual(['sonarr']);
    const [sonarr] = result.services;
    expect(sonarr!.changes.map((c) => c.code).sort()).toEqual(['env-removed', 'env-removed', 'read-only-added', 'tmpfs-added']);
    for (const change of sonarr!.changes) {
      expect(change).toEqual({ code: expect.any(String), message: expect.any(String), line: expect.any(Number) });
      expect(change.line).toBeGreaterThanOrEqual(1);
    }
    expect(sonarr!.changes.filter((c) => c.code === 'env-removed').map((c) => c.line)).toEqual([5, 6]);
    // Which warnings apply is the transforms' business; their shape is the API's.
    for (const warning of sonarr!.warnings) expect(warning).toEqual({ code: expect.any(String), message: expect.any(String), line: expect.toSatisfy((l) => l === null || l >= 1) });
  });

  it('lists every service name in the file, selected or not', () => {
    expect(result.serviceNames).toEqual(['sonarr', 'web']);
  });

  it('gives a unified diff with the path from the options (compose.yml by default)', () => {
    expect(result.diff).toMatch(/^--- a\/compose\.yml\n\+\+\+ b\/compose\.yml\n@@ /);
    expect(result.diff).toContain('\n-      - PUID=1000\n');
    expect(result.diff).toContain('\n+    read_only: true\n');
    const named = convert(SONARR, { services: ['sonarr'], path: 'stacks/media/compose.yml' });
    expect(named.diff.split('\n').slice(0, 2)).toEqual(['--- a/stacks/media/compose.yml', '+++ b/stacks/media/compose.yml']);
  });

  it('carries warnings with stable codes', () => {
    const warned = convert('services:\n  app:\n    image: lscr.io/linuxserver/sonarr\n    read_only: ${RO}\n', { all: true });
    expect(warned.services[0]!.warnings).toEqual([{ code: 'read-only-variable', message: expect.any(String), line: 4 }]);
  });

  it('is idempotent and reports an unchanged text with an empty diff', () => {
    const again = convert(result.output, { services: ['sonarr'] });
    expect(again).toMatchObject({ output: SONARR_CONVERTED, changed: false, diff: '' });
    expect(again.services[0]!.changes).toEqual([]);
  });

  it('selects by image glob, by --supported and with keepEnv, like the CLI options', () => {
    expect(convert(SONARR, { images: ['lscr.io/linuxserver/*'] }).output).toBe(SONARR_CONVERTED);
    expect(convert(SONARR, { supported: true }).services.map((s) => s.name)).toEqual(['sonarr']);
    expect(convert(SONARR, { services: ['sonarr'], keepEnv: ['PGID'] }).output).toContain('- PGID=1000');
    expect(DEFAULT_STRIP).toContain('PUID');
  });

  it('does not throw for a name the file lacks: it selects nothing and lists what exists', () => {
    const none = convert(SONARR, { services: ['radarr'] });
    expect(none).toMatchObject({ output: SONARR, changed: false, services: [], serviceNames: ['sonarr', 'web'] });
  });
});

describe('convert(text, { extraTmpfs }): entries asked for on top of what the image needs', () => {
  it('adds each entry once, with its options, next to /run:exec, and reports it', () => {
    const text = 'services:\n  app:\n    image: lscr.io/linuxserver/sonarr\n    tmpfs:\n      - /tmp\n';
    const result = convert(text, {
      services: ['app'],
      extraTmpfs: { app: [{ path: '/var/cache/app', options: ['size=16m'], source: 'test' }, { path: '/tmp', options: [], source: 'test' }] },
    });
    expect(result.output).toBe('services:\n  app:\n    image: lscr.io/linuxserver/sonarr\n    tmpfs:\n      - /tmp\n      - /run:exec\n      - /var/cache/app:size=16m\n    read_only: true\n');
    // The replacements rebuild the output from the input: what a patch or a SARIF fix carries.
    let rebuilt = '';
    let cursor = 0;
    for (const r of result.replacements) [rebuilt, cursor] = [rebuilt + text.slice(cursor, r.start) + r.text, r.end];
    expect(rebuilt + text.slice(cursor)).toBe(result.output);
    expect(result.services[0]!.changes.filter((c) => c.code === 'tmpfs-added').map((c) => c.message)).toEqual([
      'added tmpfs /run:exec',
      'added tmpfs /var/cache/app:size=16m (required by sonarr)',
    ]);
  });
});

describe('convert: refusals are ConvertError with a code and a position', () => {
  const cases: [string, string, ErrorCode, number, number][] = [
    ['a duplicate key', 'services:\n  web:\n    image: a\n    image: b\n', 'invalid-yaml', 4, 5],
    ['a service that is not a mapping', 'services:\n  web: 3\n', 'service-not-mapping', 2, 3],
    ['the old v1 format', 'web:\n  image: nginx\n', 'compose-v1', 1, 1],
  ];
  it.each(cases)('refuses %s', (_name, text, code, line, column) => {
    let caught: unknown;
    try {
      convert(text, { all: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConvertError);
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({ name: 'ConvertError', code, line, column });
    expect((caught as ConvertError).message).not.toBe('');
  });
});

describe('the module', () => {
  it('exports exactly the documented API', () => {
    expect(Object.keys(api).sort()).toEqual(['ConvertError', 'DEFAULT_STRIP', 'convert', 'listImages', 'lookupImage', 'parseImageRef']);
  });

  it('is typed: options, result, reports and codes', () => {
    expectTypeOf(convert).parameters.toEqualTypeOf<[string, ConvertOptions]>();
    expectTypeOf(convert).returns.toEqualTypeOf<ConvertResult>();
    expectTypeOf<ConvertResult['services']>().toEqualTypeOf<ServiceReport[]>();
    expectTypeOf<ServiceReport['changes'][number]['code']>().toEqualTypeOf<ChangeCode>();
    expectTypeOf<ServiceReport['warnings'][number]['code']>().toEqualTypeOf<WarningCode>();
    expectTypeOf<ConvertError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<ConvertError['line']>().toEqualTypeOf<number | null>();
  });

  // Node's permission model: the built library may read only its own file; any other file
  // access, a write, a worker or a child process would throw ERR_ACCESS_DENIED.
  it.skipIf(!existsSync(builtIndex))('does no I/O: converts in a process allowed to read nothing but the library itself', () => {
    const permission = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
    const script = `
      const { convert } = await import(${JSON.stringify(builtIndex)});
      const r = convert(${JSON.stringify(SONARR)}, { services: ['sonarr'], path: '/nonexistent/compose.yml' });
      process.stdout.write(JSON.stringify({ output: r.output, diff: r.diff.split('\\n')[0] }));`;
    const child = spawnSync(process.execPath, [permission, `--allow-fs-read=${builtIndex}`, '--no-warnings', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: '/' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ output: SONARR_CONVERTED, diff: '--- a//nonexistent/compose.yml' });
  });
});
