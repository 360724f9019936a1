import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizedName, parseImageRef, referenceForms } from '../src/knowledge/image-ref.js';
import { locateServices } from '../src/model/locate.js';
import { isSelected } from '../src/model/select.js';
import { parseCompose } from '../src/parse/parse.js';
import { confidenceText, isActionable, listCompanions, lookupCompanion } from '../src/knowledge/companions.js';
import { mountNeeds } from '../src/knowledge/needs.js';
import type { TmpfsNeed } from '../src/knowledge/needs.js';
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

  it('gives the same record to every lookup and to the list', () => {
    const listed = new Map(listImages().map((image) => [image.image, image]));
    for (const name of ['sonarr', 'jellyfin', 'mariadb']) {
      expect(lookupImage(name)).toBe(lookupImage(name));
      expect(listed.get(name)).toBe(lookupImage(name));
    }
    expect(listImages()[0]).toBe(listImages()[0]);
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
  const withTemp = (body: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'ro-convert-knowledge-'));
    try {
      body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const update = (args: string[]) => spawnSync(process.execPath, ['scripts/knowledge-update.mjs', ...args], { cwd: projectRoot, encoding: 'utf8' });

  it('src/knowledge/linuxserver.json is exactly what scripts/knowledge-update.mjs makes of the snapshot kept in the repository', () => {
    withTemp((dir) => {
      const out = join(dir, 'linuxserver.json');
      // No source given: the committed snapshot (src/knowledge/sources/linuxserver-readonly.json).
      const result = update(['--out', out]);
      expect(result.stderr).toBe(''); // no warnings: the needs_tmp_tmpfs set matches the docs
      expect(result.status).toBe(0);
      expect(readFileSync(out)).toEqual(readFileSync(join(projectRoot, 'src/knowledge/linuxserver.json')));
    });
  });

  it('a JSON source given on the command line becomes the snapshot, byte for byte as committed', () => {
    withTemp((dir) => {
      const snapshot = join(dir, 'snapshot.json');
      const result = update([join(projectRoot, 'src/knowledge/sources/linuxserver-readonly.json'), '--snapshot', snapshot, '--out', join(dir, 'table.json')]);
      expect(result.status, result.stderr).toBe(0);
      expect(readFileSync(snapshot)).toEqual(readFileSync(join(projectRoot, 'src/knowledge/sources/linuxserver-readonly.json')));
      expect(readFileSync(join(dir, 'table.json'))).toEqual(readFileSync(join(projectRoot, 'src/knowledge/linuxserver.json')));
    });
  });

  it('reads a checkout of the LinuxServer documentation: sections, caveats, deprecated pages, commit', () => {
    withTemp((dir) => {
      const docs = join(dir, 'docker-documentation');
      const page = (sections: string) => `# linuxserver/x\n\nIntro.\n\n${sections}\n## Usage\n\n\`\`\`yaml\nservices: {}\n\`\`\`\n`;
      const ro = (caveats: string) =>
        `## Read-Only Operation\n\nThis image can be run with a read-only container filesystem. For details please [read the docs](https://docs.linuxserver.io/misc/read-only/).\n\n${caveats ? `### Caveats\n\n${caveats}\n\n` : ''}`;
      const nr = '## Non-Root Operation\n\nThis image can be run with a non-root user. For details please [read the docs](https://docs.linuxserver.io/misc/non-root/).\n\n';
      const files: Record<string, string> = {
        'docs/images/docker-sonarr.md': page(ro('') + nr),
        'docs/images/docker-mariadb.md': page(ro('* `/tmp` must be mounted to tmpfs\n* Not supported on first run') + nr),
        'docs/images/docker-jellyfin.md': page(''),
        'docs/deprecated_images/docker-readarr.md': page(ro('')),
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(docs, path)), { recursive: true });
        writeFileSync(join(docs, path), text);
      }
      const git = (...args: string[]) => spawnSync('git', ['-C', docs, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });
      git('init', '-q');
      git('add', '.');
      git('commit', '-qm', 'docs');
      const commit = git('rev-parse', 'HEAD').stdout.trim();
      const snapshot = join(dir, 'snapshot.json');
      const result = update([docs, '--snapshot', snapshot, '--out', join(dir, 'table.json')]);
      expect(result.status, result.stderr).toBe(0);
      const read = JSON.parse(readFileSync(snapshot, 'utf8')) as { generated_from: string; images: unknown[]; images_without_readonly_section: string[] };
      expect(read.generated_from).toContain(`linuxserver/docker-documentation HEAD ${commit} (`);
      expect(read.images_without_readonly_section).toEqual(['jellyfin']);
      expect(read.images).toEqual([
        {
          image: 'mariadb',
          deprecated: false,
          readonly_supported: true,
          readonly_caveats: '* `/tmp` must be mounted to tmpfs\n* Not supported on first run',
          nonroot_supported: true,
          nonroot_caveats: null,
          source: `linuxserver/docker-documentation@${commit}:docs/images/docker-mariadb.md`,
        },
        expect.objectContaining({ image: 'sonarr', deprecated: false, readonly_supported: true, readonly_caveats: null, nonroot_supported: true }),
        expect.objectContaining({ image: 'readarr', deprecated: true, readonly_supported: true, nonroot_supported: false }),
      ]);
      const table = JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8')) as { images: Record<string, { needs_tmp_tmpfs: boolean }> };
      expect(table.images['mariadb']?.needs_tmp_tmpfs).toBe(true);
    });
  });
});

/** The rows of the companion source table: first cell → its cells (needs, s6, conf., source). */
function companionRows(): Map<string, { needs: string; s6: string; confidence: string; source: string }> {
  const text = readFileSync(join(projectRoot, 'src/knowledge/sources/companion-images.md'), 'utf8');
  const rows = new Map<string, { needs: string; s6: string; confidence: string; source: string }>();
  let previousSource = '';
  for (const line of text.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| image |')) continue;
    const [image, needs, s6, confidence, source] = line.slice(2, -2).split(' | ');
    // "same" in the source column repeats the row above's source.
    const resolved = source === 'same' ? previousSource : source!;
    rows.set(image!, { needs: needs!, s6: s6!, confidence: confidence!, source: resolved });
    previousSource = resolved;
  }
  return rows;
}

describe('companion table', () => {
  const rows = companionRows();
  const letters = (confidence: string) => new Set(confidence.match(/\b[DVOIX]\b/g) ?? []);
  const normal = (ref: string) => normalizedName(parseImageRef(ref));

  it('the source table has the rows the data is written from', () => {
    expect(rows.size).toBe(28);
  });

  it('every row of the source has a record, and every record a row', () => {
    const records = listCompanions();
    expect(new Set(records.map((r) => r.row))).toEqual(new Set(rows.keys()));
    expect(new Set(records.map((r) => r.name)).size).toBe(records.length);
  });

  for (const record of listCompanions()) {
    it(`${record.name}: every fact agrees with its row`, () => {
      const row = rows.get(record.row)!;
      expect(row, record.row).toBeDefined();
      expect(record.s6, 's6').toBe(row.s6 === 'yes');
      // /run with exec exactly for s6 images.
      expect(record.run === 'exec', 'run').toBe(record.s6);
      for (const letter of letters(record.confidence)) expect(letters(row.confidence), `${record.confidence} in ${row.confidence}`).toContain(letter);
      expect(row.source).toContain(record.source.split('; ')[0]);
      const facts = [...record.tmpfs, ...record.volumes, ...record.caveats, ...record.breaks];
      for (const fact of facts) {
        for (const letter of letters(fact.confidence)) expect(letters(row.confidence), `${fact.confidence} in ${row.confidence}`).toContain(letter);
        for (const part of fact.source.split('; ')) expect(row.source, part).toContain(part);
      }
      // Every path the data names is a path the row names.
      for (const entry of [...record.tmpfs, ...record.volumes]) expect(row.needs, entry.path).toContain(entry.path);
      // /run: plain only where the row names /run (or /var/run); exec only where it says /run:exec.
      if (record.run === 'plain') expect(row.needs).toMatch(/`\/(var\/)?run`/);
      if (record.run === 'exec') expect(row.needs).toContain('/run:exec');
      // Breakage: only where the row says so, and always said there.
      expect(record.breaks.length > 0, 'breaks').toBe(/\bbreak/.test(row.needs));
      // Each reference is a normalised name.
      for (const reference of record.references) expect(reference).toMatch(/^[a-z0-9.-]+\/[a-z0-9._*-]+(\/[a-z0-9._*-]+)*$/);
    });
  }

  it('normalises references the way Docker resolves them', () => {
    expect(normal('postgres:16')).toBe('docker.io/library/postgres');
    expect(normal('library/postgres@' + DIGEST)).toBe('docker.io/library/postgres');
    expect(normal('index.docker.io/grafana/grafana:11.0.0')).toBe('docker.io/grafana/grafana');
    expect(normal('ghcr.io/hotio/sonarr:release')).toBe('ghcr.io/hotio/sonarr');
    expect(normal('localhost:5000/app')).toBe('localhost:5000/app');
    expect(normal('${IMAGE}')).toBeNull();
    expect(normal('nginx latest')).toBeNull();
  });

  it('looks images up by any form users write', () => {
    const name = (ref: string) => lookupCompanion(parseImageRef(ref))?.name;
    expect(name('postgres:16-alpine')).toBe('postgres');
    expect(name('docker.io/library/postgres')).toBe('postgres');
    expect(name('ghcr.io/hotio/qbittorrent:release')).toBe('hotio');
    expect(name('hotio/sonarr')).toBe('hotio');
    expect(name('ghcr.io/home-assistant/home-assistant:stable')).toBe('home-assistant');
    expect(name('qmcgaw/gluetun:v3')).toBe('gluetun');
    expect(name('ghcr.io/flaresolverr/flaresolverr:latest')).toBeUndefined();
    expect(name('lscr.io/linuxserver/nginx')).toBeUndefined();
    expect(name('someone/postgres')).toBeUndefined();
  });

  it('finds the first record in table order whose reference names the image, `*` standing for one path component', () => {
    const records = listCompanions();
    const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    const matches = (reference: string, name: string) => new RegExp(`^${reference.split('*').map(escape).join('[^/]+')}$`).test(name);
    const names = records.flatMap((record) => record.references.flatMap((reference) => [reference.replace(/\*/g, 'sonarr'), reference.replace(/\*/g, 'a/b')]));
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      const first = records.find((record) => record.references.some((reference) => matches(reference, name)));
      expect({ name, found: lookupCompanion(parseImageRef(name))?.name }).toEqual({ name, found: first?.name });
      // The record itself, shared with the list.
      expect(lookupCompanion(parseImageRef(name))).toBe(first);
    }
  });

  it('says confidence in words', () => {
    expect(confidenceText('D')).toBe('documented by the image');
    expect(confidenceText('I + O(1)')).toBe("inferred from the image's Dockerfile, not run + observed in 1 public compose file");
    expect(confidenceText('O(5)')).toBe('observed in 5 public compose files');
    expect(isActionable('D')).toBe(true);
    expect(isActionable('V')).toBe(true);
    expect(isActionable('O(5)')).toBe(false);
    expect(isActionable('I + O(1)')).toBe(false);
  });
});

describe('mountNeeds', () => {
  const needs = (ref: string) => {
    const parsed = parseImageRef(ref);
    return parsed.lsioName ? mountNeeds(parsed, lookupImage(parsed.lsioName), undefined) : mountNeeds(parsed, undefined, lookupCompanion(parsed));
  };
  const paths = (list: readonly TmpfsNeed[]) => list.map((t) => (t.options.length ? `${t.path}:${t.options.join(',')}` : t.path));

  it('LinuxServer images: /run with exec, /tmp where the readme says so', () => {
    expect(needs('lscr.io/linuxserver/sonarr')).toMatchObject({ run: 'exec', tmpfs: [], known: 'linuxserver' });
    expect(paths(needs('lscr.io/linuxserver/mariadb').tmpfs)).toEqual(['/tmp']);
    expect(needs('lscr.io/linuxserver/not-in-the-table')).toMatchObject({ run: 'exec', known: 'linuxserver' });
  });

  it('known s6 images: /run with exec', () => {
    expect(needs('ghcr.io/hotio/sonarr')).toMatchObject({ run: 'exec', known: 'companion' });
    expect(needs('homeassistant/home-assistant:stable')).toMatchObject({ run: 'exec', known: 'companion' });
    expect(paths(needs('homeassistant/home-assistant:stable').tmpfs)).toEqual(['/tmp']);
  });

  it('postgres: its documented entries with the source, nothing at /run', () => {
    const postgres = needs('postgres:16');
    expect(postgres).toMatchObject({ run: 'none', known: 'companion', suggested: [] });
    expect(paths(postgres.tmpfs)).toEqual(['/var/run/postgresql', '/tmp']);
    expect(postgres.tmpfs[0]!.source).toBe('documented by the image: docker-library/postgres issue 154 (maintainers), PR 205');
  });

  it('non-s6 companions never get exec; weaker facts are suggested, not needed', () => {
    for (const record of listCompanions().filter((r) => !r.s6)) {
      const ref = record.references[0]!.replace('*', 'x');
      expect(needs(ref).run, record.name).not.toBe('exec');
    }
    expect(needs('nginx:1.27')).toMatchObject({ run: 'plain' });
    expect(paths(needs('nginx:1.27').tmpfs)).toEqual(['/var/cache/nginx', '/tmp']);
    expect(needs('redis:7')).toMatchObject({ run: 'none', tmpfs: [], suggested: [] });
    const mariadb = needs('mariadb:11');
    expect(mariadb.tmpfs).toEqual([]);
    expect(paths(mariadb.suggested)).toEqual(['/run/mysqld', '/tmp']);
    expect(mariadb.suggested[0]!.source).toContain('observed in 1 public compose file');
  });

  it('unknown images keep /run with exec (they may be s6)', () => {
    expect(needs('ghcr.io/flaresolverr/flaresolverr:latest')).toEqual({ run: 'exec', tmpfs: [], known: 'unknown', suggested: [] });
    expect(mountNeeds(null, undefined, undefined)).toMatchObject({ run: 'exec', known: 'unknown' });
    expect(needs('${IMAGE}')).toMatchObject({ run: 'exec', known: 'unknown' });
  });
});

describe('selection by image', () => {
  const select = (image: string, ...globs: string[]) => {
    const [service] = locateServices(parseCompose(`services:\n  app:\n    image: "${image}"\n`));
    return isSelected(service!, { images: globs });
  };

  it("the docs' lscr.io glob (docs/usage.md) matches every form users mix for LinuxServer images", () => {
    for (const image of ['lscr.io/linuxserver/sonarr:latest', 'linuxserver/sonarr', 'docker.io/linuxserver/sonarr:4.0.14', 'ghcr.io/linuxserver/sonarr', `index.docker.io/linuxserver/sonarr@${DIGEST}`]) {
      expect(select(image, 'lscr.io/linuxserver/*'), image).toBe(true);
    }
    expect(select('ghcr.io/hotio/sonarr', 'lscr.io/linuxserver/*')).toBe(false);
    expect(select('someone/linuxserver-sonarr', 'lscr.io/linuxserver/*')).toBe(false);
  });

  it('globs match the normalised reference and Docker Hub short forms', () => {
    expect(select('linuxserver/sonarr', 'docker.io/linuxserver/sonarr')).toBe(true);
    expect(select('nginx:1.27', 'docker.io/library/*')).toBe(true);
    expect(select('docker.io/library/nginx:1.27', 'nginx')).toBe(true);
    expect(select('docker.io/library/nginx:1.27', 'nginx:1.27')).toBe(true);
    expect(select('docker.io/library/nginx:1.27', 'nginx:1.26')).toBe(false);
    expect(select('postgres:16', 'docker.io/*')).toBe(true);
    expect(select('postgres:16', 'ghcr.io/*')).toBe(false);
  });

  it('lists the spellings of one image', () => {
    expect(referenceForms(parseImageRef('nginx:1.27')).sort()).toEqual(
      ['docker.io/library/nginx', 'docker.io/library/nginx:1.27', 'library/nginx', 'library/nginx:1.27', 'nginx', 'nginx:1.27'].sort(),
    );
    expect(referenceForms(parseImageRef('${IMAGE}'))).toEqual(['${IMAGE}']);
  });
});
