/**
 * The warnings of issue 4: what read-only breaks for a service, said per service with a stable
 * code. Fixture cases live in test/fixtures-warnings/<case>/: `input.yml`, `options.json`
 * (convert options; `"noRelated": true` converts without reading files next to it), and
 * `expected.json` (per selected service, its warnings in order: a code, or `{code, includes,
 * excludes, line}`). Files next to `input.yml` stand for the files next to a `compose.yml`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { convert } from '../src/convert.js';
import type { ConvertOptions } from '../src/convert.js';
import { envFileNames } from '../src/model/env-files.js';
import { locateServices } from '../src/model/locate.js';
import { parseCompose } from '../src/parse/parse.js';
import { processFile } from '../src/io/process-file.js';
import { formatSummary, summarize } from '../src/report/report.js';
import { listCompanions } from '../src/knowledge/companions.js';
import { relatedFilesOf } from '../src/io/related-files.js';
import { isSelected, stripPolicy } from '../src/model/select.js';
import type { ServiceContext } from '../src/plan/transform.js';
import { transforms } from '../transforms/index.js';

const DIR = fileURLToPath(new URL('./fixtures-warnings/', import.meta.url));

type Expected = string | { code: string; includes?: string; excludes?: string; line?: number | null };

interface WarningCase {
  name: string;
  dir: string;
  input: string;
  options: ConvertOptions & { noRelated?: boolean };
  expected: Record<string, Expected[]>;
}

const cases: WarningCase[] = readdirSync(DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => {
    const dir = join(DIR, name);
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return {
      name,
      dir,
      input: read('input.yml'),
      options: JSON.parse(read('options.json')) as WarningCase['options'],
      expected: (JSON.parse(read('expected.json')) as { services: Record<string, Expected[]> }).services,
    };
  });

function convertCase(c: WarningCase) {
  const { noRelated, ...options } = c.options;
  // The fixture folder plays the compose file's folder: `input.yml` is its `compose.yml`.
  const related = noRelated ? undefined : relatedFilesOf(join(c.dir, 'compose.yml'));
  return convert(c.input, { ...options, related });
}

const warnTransforms = transforms.filter((t) => t.kind === 'warning');

describe('warning fixtures', () => {
  it('has a case for every warning code of issue 4', () => {
    const codes = new Set(cases.flatMap((c) => Object.values(c.expected).flat().map((e) => (typeof e === 'string' ? e : e.code))));
    for (const code of ['not-lsio-tested', 'image-caveat', 'image-variable', 'non-root-user', 'custom-services', 'custom-init', 'mods-disabled', 'uid-changes', 'env-file', 'extends', 'override-undoes', 'moot-setting',
      // issue 12
      'unknown-image', 'companion-image', 'image-breaks', 'umask-ignored', 'mod-variables', 'swarm']) {
      expect(codes, code).toContain(code);
    }
  });

  for (const c of cases) {
    it(`${c.name}: warns exactly as expected, per service`, () => {
      const result = convertCase(c);
      const got = Object.fromEntries(result.services.map((s) => [s.name, s.warnings]));
      expect(Object.keys(got).sort()).toEqual(Object.keys(c.expected).sort());
      for (const [service, expected] of Object.entries(c.expected)) {
        const warnings = got[service]!;
        expect(warnings.map((w) => w.code), service).toEqual(expected.map((e) => (typeof e === 'string' ? e : e.code)));
        expected.forEach((e, i) => {
          if (typeof e === 'string') return;
          const w = warnings[i]!;
          if (e.includes !== undefined) expect(w.message, `${service} #${i}`).toContain(e.includes);
          if (e.excludes !== undefined) expect(w.message, `${service} #${i}`).not.toContain(e.excludes);
          if (e.line !== undefined) expect(w.line, `${service} #${i} line`).toBe(e.line);
        });
        for (const w of warnings) expect(w.message).not.toMatch(/\n/);
      }
    });

    it(`${c.name}: the warnings change no edit (same output without the files next to it)`, () => {
      const { noRelated: _, ...options } = c.options;
      expect(convertCase(c).output).toBe(convert(c.input, options).output);
    });

    it(`${c.name}: a run that shows no warnings skips them and converts the same`, () => {
      const shown = convertCase(c);
      const quiet = convertCase({ ...c, options: { ...c.options, warnings: false } });
      const withoutWarnings = (result: typeof shown) => result.services.map(({ warnings: _, ...report }) => report);
      expect({ output: quiet.output, services: withoutWarnings(quiet) }).toEqual({ output: shown.output, services: withoutWarnings(shown) });
      expect(quiet.services.flatMap((s) => s.warnings)).toEqual([]);
    });

    it(`${c.name}: every warning transform returns warnings only`, () => {
      const { noRelated, ...options } = c.options;
      const parsed = parseCompose(c.input);
      const related = noRelated ? undefined : relatedFilesOf(join(c.dir, 'compose.yml'));
      for (const service of locateServices(parsed).filter((s) => isSelected(s, options))) {
        const ctx: ServiceContext = {
          service,
          doc: parsed.doc,
          layout: parsed.layout,
          style: { sequenceIndent: 2, mappingIndent: 2 },
          strip: stripPolicy(Boolean(service.imageRef?.lsioName), options),
          needs: service.needs,
          canEdit: () => true,
          lineOf: (offset) => parsed.layout.position(offset).line,
          sibling: () => undefined,
          receivesThroughMerge: () => null,
          related,
        };
        for (const t of warnTransforms) {
          const result = t.run(ctx);
          expect(result.edits, `${t.name} on ${service.name}`).toEqual([]);
          expect(result.changes, `${t.name} on ${service.name}`).toEqual([]);
        }
      }
    });
  }
});

describe('the media-stack example', () => {
  it('warns about what each service loses, and nothing for the services with nothing to say', () => {
    const path = fileURLToPath(new URL('../examples/media-stack/compose.yml', import.meta.url));
    const text = readFileSync(path, 'utf8');
    const result = convert(text, { all: true, related: relatedFilesOf(path) });
    const codes = Object.fromEntries(result.services.map((s) => [s.name, s.warnings.map((w) => w.code)]));
    expect(codes).toEqual({
      sonarr: ['uid-changes', 'mods-disabled'],
      radarr: ['uid-changes', 'env-file'],
      prowlarr: ['uid-changes'],
      flaresolverr: ['unknown-image'],
      qbittorrent: ['uid-changes', 'umask-ignored'],
      // The transcode caveat is met: /transcode is a host path.
      plex: ['image-caveat', 'uid-changes'],
      jellyfin: ['uid-changes', 'not-lsio-tested'],
      postgres: ['companion-image'],
    });
    const postgres = result.services.find((s) => s.name === 'postgres')!;
    expect(postgres.warnings[0]!.message).toContain('tmpfs /var/run/postgresql and /tmp and nothing at /run');
    expect(postgres.warnings[0]!.message).toContain('documented by the image: docker-library/postgres issue 154');
    // No non-s6 image is asked for exec; flaresolverr is unknown, so it may be s6.
    const located = locateServices(parseCompose(text));
    expect(Object.fromEntries(located.map((s) => [s.name, [s.needs.known, s.needs.run]]))).toEqual({
      sonarr: ['linuxserver', 'exec'],
      radarr: ['linuxserver', 'exec'],
      prowlarr: ['linuxserver', 'exec'],
      flaresolverr: ['unknown', 'exec'],
      qbittorrent: ['linuxserver', 'exec'],
      plex: ['linuxserver', 'exec'],
      jellyfin: ['linuxserver', 'exec'],
      postgres: ['companion', 'none'],
    });
    expect(located.find((s) => s.name === 'postgres')!.needs.tmpfs.map((t) => t.path)).toEqual(['/var/run/postgresql', '/tmp']);
  });
});

describe('the built command line', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('--list-images shows both tables, with the confidence of each companion fact', () => {
    const result = run('--list-images');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^LinuxServer images \(linuxserver\/docker-documentation@[0-9a-f]{12}, \d{4}-\d{2}-\d{2}\):/);
    expect(result.stdout).toMatch(/^sonarr +supported$/m);
    expect(result.stdout).toMatch(/^postgres +none +\/var\/run\/postgresql \/tmp +D$/m);
    expect(result.stdout).toMatch(/^hotio +exec +- +I$/m);
    expect(result.stdout).toMatch(/^mariadb +none +\(\/run\/mysqld\) \(\/tmp\) +O\(1\), weak$/m);
    expect(result.stdout).toContain('breaks: with REDIS_HOST set, the entrypoint writes /usr/local/etc/php/conf.d/redis-session.ini, which fails read-only [X]');
    for (const companion of listCompanions()) expect(result.stdout).toMatch(new RegExp(`^${companion.name.replace(/[.]/g, '\\.')} `, 'm'));
  });

  it('--swarm is an option: the warning says so', () => {
    const result = run('--all', '--swarm', fileURLToPath(new URL('./fixtures-warnings/swarm-option/input.yml', import.meta.url)));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('--swarm: docker stack deploy ignores service-level tmpfs');
    expect(result.stderr).toContain('[swarm]');
  });

  it('--supported --check names the untested services it skipped', () => {
    const result = run('--supported', '--check', fileURLToPath(new URL('../examples/media-stack/compose.yml', import.meta.url)));
    expect(result.stderr).toContain('--supported skipped 1 LinuxServer service not tested read-only (jellyfin); convert it anyway with --service NAME');
  });
});

describe('--supported', () => {
  it('says how many untested LinuxServer services it skipped, and how to convert them anyway', () => {
    const path = fileURLToPath(new URL('../examples/media-stack/compose.yml', import.meta.url));
    const result = convert(readFileSync(path, 'utf8'), { supported: true });
    expect(result.skippedUntested).toEqual(['jellyfin']);
    const report = { path, status: 'changed' as const, written: false, error: null, services: result.services, skippedUntested: result.skippedUntested };
    const summary = summarize([report, { ...report, path: 'other.yml' }]);
    expect(summary.skippedUntested).toEqual({ services: 2, names: ['jellyfin'] });
    expect(formatSummary(summary, 'preview')).toContain('--supported skipped 2 LinuxServer services not tested read-only (jellyfin); convert them anyway with --service NAME');
  });

  it('counts nothing when another criterion selects the service, or without --supported', () => {
    const text = 'services:\n  jellyfin:\n    image: lscr.io/linuxserver/jellyfin\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n';
    expect(convert(text, { supported: true }).skippedUntested).toEqual(['jellyfin']);
    expect(convert(text, { supported: true, services: ['jellyfin'] }).skippedUntested).toEqual([]);
    expect(convert(text, { all: true }).skippedUntested).toEqual([]);
    expect(formatSummary(summarize([]), 'check')).not.toContain('--supported');
  });
});

describe('relatedFilesOf', () => {
  const withDir = async (files: Record<string, string>, body: (dir: string) => void | Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'ro-convert-related-'));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('looks for the override of a base file only, in both spellings', () => {
    withDir({ 'docker-compose.override.yaml': 'services: {}\n', 'compose.prod.yml': 'services: {}\n' }, (dir) => {
      expect(relatedFilesOf(join(dir, 'docker-compose.yml')).override()).toEqual({
        path: join(dir, 'docker-compose.override.yaml'),
        text: 'services: {}\n',
      });
      expect(relatedFilesOf(join(dir, 'compose.yml')).override()).toBeNull();
      expect(relatedFilesOf(join(dir, 'compose.prod.yml')).override()).toBeUndefined();
      expect(relatedFilesOf(join(dir, 'docker-compose.override.yaml')).override()).toBeUndefined();
    });
  });

  it('with the names a directory listing found next to the file, looks for the override only among them', () => {
    withDir({ 'compose.override.yml': 'services: {}\n' }, (dir) => {
      expect(relatedFilesOf(join(dir, 'compose.yml'), ['compose.override.yml', 'compose.yml']).override()).toEqual({ path: join(dir, 'compose.override.yml'), text: 'services: {}\n' });
      // The listing is what the directory held: a name it lacks is not looked up.
      expect(relatedFilesOf(join(dir, 'compose.yml'), ['compose.yml']).override()).toBeNull();
    });
  });

  it('reads env files relative to the compose file, once, and only when asked', () => {
    withDir({ 'a.env': 'PUID=1\n', ['__proto__']: 'X=1\n' }, (dir) => {
      const related = relatedFilesOf(join(dir, 'compose.yml'));
      expect(related.envFile('a.env')).toBe('PUID=1\n');
      expect(related.envFile('__proto__')).toBe('X=1\n');
      expect(related.envFile('missing.env')).toBeNull();
      expect(related.envFile('${HOME}/x.env')).toBeUndefined();
      writeFileSync(join(dir, 'a.env'), 'PGID=2\n');
      expect(related.envFile('a.env')).toBe('PUID=1\n');
    });
  });

  it('reaches the warnings through processFile for a file on disk, not for stdin', async () => {
    const compose = 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:latest\n    env_file: .env.sonarr\n';
    await withDir({ 'compose.yml': compose, 'compose.override.yml': 'services:\n  sonarr:\n    read_only: false\n', '.env.sonarr': 'PUID=1000\n' }, async (dir) => {
      const job = { options: { all: true }, write: false, strict: false, wantDiff: false, wantTexts: false };
      const onDisk = await processFile({ ...job, path: join(dir, 'compose.yml') });
      expect(onDisk.report.services[0]!.warnings.map((w) => w.code)).toEqual(['env-file', 'override-undoes']);
      expect(onDisk.report.services[0]!.warnings[0]!.message).toContain('sets PUID');
      const fromStdin = await processFile({ ...job, path: '-', stdin: new TextEncoder().encode(compose) });
      expect(fromStdin.report.services[0]!.warnings.map((w) => w.code)).toEqual(['env-file']);
      expect(fromStdin.report.services[0]!.warnings[0]!.message).toContain('is not read by ro-convert');
    });
  });

  for (const [what, compose, options] of [
    ['nextcloud with REDIS_HOST', 'services:\n  cloud:\n    image: nextcloud:29\n    environment:\n      REDIS_HOST: redis\n', {}],
    ['pihole', 'services:\n  dns:\n    image: pihole/pihole:latest\n', {}],
    ['a swarm file', 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:latest\n    deploy:\n      mode: global\n', {}],
    ['--swarm', 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:latest\n', { swarm: true }],
  ] as const) {
    it(`--strict refuses ${what}, with the warning that says why`, async () => {
      await withDir({ 'compose.yml': compose }, async (dir) => {
        const outcome = await processFile({ path: join(dir, 'compose.yml'), options: { all: true, ...options }, write: false, strict: true, wantDiff: false, wantTexts: false });
        expect(outcome.report.status).toBe('error');
        expect(outcome.report.error?.code).toBe('strict-warnings');
        expect(outcome.report.services[0]!.warnings.map((w) => w.code)).toContain(what.includes('swarm') ? 'swarm' : 'image-breaks');
      });
    });
  }

  it('--strict refuses a file whose services get warnings', async () => {
    await withDir({ 'compose.yml': 'services:\n  jellyfin:\n    image: lscr.io/linuxserver/jellyfin:latest\n' }, async (dir) => {
      const outcome = await processFile({ path: join(dir, 'compose.yml'), options: { all: true }, write: false, strict: true, wantDiff: false, wantTexts: false });
      expect(outcome.report.status).toBe('error');
      expect(outcome.report.error?.code).toBe('strict-warnings');
    });
  });
});

describe('envFileNames', () => {
  it('reads KEY=value, export KEY=value, KEY: value and bare KEY; skips comments and blanks', () => {
    expect(envFileNames('# PUID=1\n\nPUID=1000\r\nexport PGID=100\nUMASK: 022\nDOCKER_MODS\n  TZ = Etc/UTC\n=x\n')).toEqual(['PUID', 'PGID', 'UMASK', 'DOCKER_MODS', 'TZ']);
  });
});
