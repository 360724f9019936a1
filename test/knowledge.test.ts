import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../src/knowledge/image-ref.js';
import type { ImageRef } from '../src/knowledge/image-ref.js';
import { knowledgeProvenance, listImages, lookupImage } from '../src/knowledge/index.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIGEST = 'sha256:' + 'a1b2c3d4'.repeat(8);
const TMPFS_IMAGES = ['bookstack', 'code-server', 'ddclient', 'mariadb', 'nginx', 'phpmyadmin', 'swag'];

describe('parseImageRef: LinuxServer forms', () => {
  const prefixes = [
    ['lscr.io/linuxserver/', 'lscr.io'],
    ['ghcr.io/linuxserver/', 'ghcr.io'],
    ['linuxserver/', null],
    ['docker.io/linuxserver/', 'docker.io'],
    ['index.docker.io/linuxserver/', 'index.docker.io'],
    ['registry-1.docker.io/linuxserver/', 'registry-1.docker.io'],
    ['quay.io/linuxserver.io/', 'quay.io'],
  ] as const;
  const suffixes = [
    ['', null, null],
    [':latest', 'latest', null],
    [':4.0.14', '4.0.14', null],
    [':version-4.0.14.2939', 'version-4.0.14.2939', null],
    [':4.0.14.2939-ls297', '4.0.14.2939-ls297', null],
    [':amd64-latest', 'amd64-latest', null],
    [`@${DIGEST}`, null, DIGEST],
    [`:latest@${DIGEST}`, 'latest', DIGEST],
  ] as const;

  for (const [prefix, registry] of prefixes) {
    for (const [suffix, tag, digest] of suffixes) {
      const raw = `${prefix}sonarr${suffix}`;
      it(raw, () => {
        expect(parseImageRef(raw)).toEqual<ImageRef>({ raw, lsioName: 'sonarr', registry, tag, digest, hasVariable: false });
      });
    }
  }

  for (const [suffix, tag, digest] of suffixes) {
    const raw = `registry.gitlab.com/linuxserver.io/docker-sonarr/sonarr${suffix}`;
    it(raw, () => {
      expect(parseImageRef(raw)).toEqual<ImageRef>({ raw, lsioName: 'sonarr', registry: 'registry.gitlab.com', tag, digest, hasVariable: false });
    });
  }

  it('accepts names with dots, dashes and underscores', () => {
    expect(parseImageRef('lscr.io/linuxserver/changedetection.io:latest').lsioName).toBe('changedetection.io');
    expect(parseImageRef('linuxserver/doplarr_rs').lsioName).toBe('doplarr_rs');
    expect(parseImageRef('ghcr.io/linuxserver/code-server').lsioName).toBe('code-server');
    expect(parseImageRef('registry.gitlab.com/linuxserver.io/docker-code-server/code-server').lsioName).toBe('code-server');
  });

  it('trims surrounding whitespace but keeps raw as given', () => {
    const ref = parseImageRef('  lscr.io/linuxserver/sonarr:latest \n');
    expect(ref).toMatchObject({ raw: '  lscr.io/linuxserver/sonarr:latest \n', lsioName: 'sonarr', tag: 'latest' });
  });
});

describe('parseImageRef: not LinuxServer', () => {
  const cases: Array<[string, Partial<ImageRef>]> = [
    ['nginx:latest', { registry: null, tag: 'latest' }],
    ['mariadb', { registry: null, tag: null }],
    ['docker.io/library/nginx', { registry: 'docker.io', tag: null }],
    ['ghcr.io/someone/sonarr', { registry: 'ghcr.io' }],
    ['linuxserverx/sonarr', {}],
    ['lscr.io/linuxserver', { registry: 'lscr.io' }],
    ['lscr.io/linuxserver/', {}],
    ['linuxserver/sonarr/extra', {}],
    ['quay.io/linuxserver/sonarr', { registry: 'quay.io' }],
    ['lscr.io/linuxserver.io/sonarr', {}],
    ['registry.gitlab.com/linuxserver.io/docker-radarr/sonarr', {}],
    ['registry.gitlab.com/linuxserver.io/sonarr', {}],
    ['example.com/linuxserver/sonarr', { registry: 'example.com' }],
    ['localhost:5000/linuxserver/sonarr:latest', { registry: 'localhost:5000', tag: 'latest' }],
    ['lscr.io/linuxserver/Sonarr', { tag: null }],
    ['LinuxServer/sonarr', {}],
    ['lscr.io/linuxserver/sonarr latest', {}],
    ['lscr.io/linuxserver/sonarr:', {}],
    ['lscr.io/linuxserver/sonarr@sha256:xyz', {}],
    ['', { registry: null, tag: null, digest: null }],
  ];
  for (const [raw, fields] of cases) {
    it(JSON.stringify(raw), () => {
      const ref = parseImageRef(raw);
      expect(ref.lsioName).toBeNull();
      expect(ref.hasVariable).toBe(false);
      expect(ref).toMatchObject(fields);
    });
  }
});

describe('parseImageRef: variables', () => {
  it('keeps lsioName when variables are only in the tag', () => {
    expect(parseImageRef('lscr.io/linuxserver/sonarr:${TAG}')).toEqual<ImageRef>({
      raw: 'lscr.io/linuxserver/sonarr:${TAG}',
      lsioName: 'sonarr',
      registry: 'lscr.io',
      tag: '${TAG}',
      digest: null,
      hasVariable: true,
    });
    expect(parseImageRef('linuxserver/sonarr:$TAG')).toMatchObject({ lsioName: 'sonarr', tag: '$TAG', hasVariable: true });
    expect(parseImageRef('lscr.io/linuxserver/sonarr:${SONARR_TAG:-latest}')).toMatchObject({
      lsioName: 'sonarr',
      tag: '${SONARR_TAG:-latest}',
      hasVariable: true,
    });
    expect(parseImageRef('lscr.io/linuxserver/sonarr:version-${VERSION}')).toMatchObject({ lsioName: 'sonarr', tag: 'version-${VERSION}' });
    expect(parseImageRef(`lscr.io/linuxserver/sonarr:\${TAG}@${DIGEST}`)).toMatchObject({ lsioName: 'sonarr', digest: DIGEST, hasVariable: true });
  });

  const elsewhere = [
    '${IMAGE}',
    '$IMAGE',
    '${REGISTRY}/linuxserver/sonarr:latest',
    '${REGISTRY:-lscr.io}/linuxserver/sonarr',
    'lscr.io/${ORG}/sonarr',
    'lscr.io/linuxserver/${APP}',
    'lscr.io/linuxserver/${APP}:latest',
    'lscr.io/linuxserver/sonarr-$SUFFIX',
    'lscr.io/linuxserver/sonarr@${DIGEST}',
    'nginx:${TAG}',
  ];
  for (const raw of elsewhere) {
    it(`${raw} has a variable and no lsioName`, () => {
      expect(parseImageRef(raw)).toMatchObject({ lsioName: null, hasVariable: true });
    });
  }

  it('does not take an escaped $$ for a variable', () => {
    expect(parseImageRef('lscr.io/linuxserver/sonarr:$$TAG')).toMatchObject({ lsioName: null, hasVariable: false });
  });
});

describe('knowledge lookups', () => {
  it('sonarr is supported with no caveats', () => {
    expect(lookupImage('sonarr')).toMatchObject({
      image: 'sonarr',
      readonlySupported: true,
      caveats: [],
      needsTmpTmpfs: false,
      nonrootSupported: true,
      deprecated: false,
    });
  });

  it('jellyfin has no read-only section and is not supported', () => {
    expect(lookupImage('jellyfin')).toEqual({
      image: 'jellyfin',
      readonlySupported: false,
      caveats: [],
      needsTmpTmpfs: false,
      nonrootSupported: false,
      deprecated: false,
      source: `linuxserver/docker-documentation@${knowledgeProvenance.commit}`,
    });
  });

  it('unknown images are undefined, lookups are exact', () => {
    expect(lookupImage('not-an-image')).toBeUndefined();
    expect(lookupImage('Sonarr')).toBeUndefined();
    expect(lookupImage('constructor')).toBeUndefined();
    expect(lookupImage('__proto__')).toBeUndefined();
  });

  it('keeps caveat text verbatim', () => {
    expect(lookupImage('mariadb')?.caveats).toEqual(['`/tmp` must be mounted to tmpfs', 'Not supported on first run']);
    expect(lookupImage('mariadb')?.caveats).toContain('Not supported on first run');
    expect(lookupImage('ddclient')?.caveats).toEqual(['`/tmp` must also be mounted to tmpfs for this image.']);
    expect(lookupImage('wireguard')?.caveats).toEqual(['Not supported in client mode.']);
  });

  it('needsTmpTmpfs is set for exactly the images the docs list', () => {
    const tmpfs = listImages().filter((image) => image.needsTmpTmpfs).map((image) => image.image);
    expect(tmpfs).toEqual(TMPFS_IMAGES);
    for (const name of TMPFS_IMAGES) expect(lookupImage(name)?.needsTmpTmpfs).toBe(true);
  });

  it('lists every image once, sorted, including those without a section', () => {
    const names = listImages().map((image) => image.image);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('jellyfin');
    expect(names).toContain('sonarr');
    expect(names.length).toBe(233);
  });

  it('records are frozen', () => {
    const sonarr = lookupImage('sonarr');
    expect(Object.isFrozen(sonarr)).toBe(true);
    expect(Object.isFrozen(sonarr?.caveats)).toBe(true);
  });

  it('provenance names the docs repository and commit', () => {
    expect(knowledgeProvenance).toEqual({
      repository: 'linuxserver/docker-documentation',
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  it('every record names the docs repository and the 40-hex commit', () => {
    const prefix = `linuxserver/docker-documentation@${knowledgeProvenance.commit}`;
    for (const image of listImages()) {
      expect(image.source).toMatch(/^linuxserver\/docker-documentation@[0-9a-f]{40}(?::|$)/);
      expect(image.source.startsWith(prefix)).toBe(true);
    }
  });
});

describe('generated table', () => {
  it('src/knowledge/linuxserver.json is exactly what scripts/knowledge-update.mjs produces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ro-convert-knowledge-'));
    try {
      const out = join(dir, 'linuxserver.json');
      // Default input (../shared/data/linuxserver-readonly.json): the same path the lead runs.
      const result = spawnSync(process.execPath, ['scripts/knowledge-update.mjs', '--out', out], { cwd: projectRoot, encoding: 'utf8' });
      expect(result.stderr).toBe(''); // no warnings: the needs_tmp_tmpfs set matches the docs
      expect(result.status).toBe(0);
      expect(readFileSync(out)).toEqual(readFileSync(join(projectRoot, 'src/knowledge/linuxserver.json')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
