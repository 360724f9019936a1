// `extends: {file, service}`: the base in another compose file, read through the caller's
// related-files reader (relatedFilesOf, as the CLI gives it), as Compose builds the service.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, ConvertError } from '../src/index.js';
import { relatedFilesOf } from '../src/io/related-files.js';

const work = mkdtempSync(join(tmpdir(), 'ro-convert-extends-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** Writes `files` (path → text) into a fresh directory and converts its `compose.yml` with them beside it. */
function convertWith(files: Record<string, string>, options: { all?: boolean; services?: string[] } = { all: true }) {
  const dir = join(work, String(counter++));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const path = join(dir, 'compose.yml');
  return convert(files['compose.yml']!, { ...options, path: 'compose.yml', related: relatedFilesOf(path) });
}

const SONARR = 'lscr.io/linuxserver/sonarr:latest';
const child = (file: string) => `services:\n  sonarr:\n    extends:\n      file: ${file}\n      service: base\n    ports:\n      - 8989:8989\n`;

describe('extends: a base in another file', () => {
  it('takes /run:exec from the base there: only read_only is added (a second /run would not load in Compose)', () => {
    const result = convertWith({ 'compose.yml': child('base.yml'), 'base.yml': `services:\n  base:\n    image: ${SONARR}\n    tmpfs:\n      - /run:exec\n` });
    expect(result.output).toBe(`${child('base.yml')}    read_only: true\n`);
    expect(result.services[0]!.warnings).toContainEqual(expect.objectContaining({ code: 'extends', message: '/run:exec comes from base (base.yml) through extends; none added here (Compose would mount /run twice)', line: 3 }));
  });

  it('follows a chain through files, each path relative to the file that names it', () => {
    const result = convertWith({
      'compose.yml': child('common/base.yml'),
      'common/base.yml': `services:\n  base:\n    extends:\n      file: inner.yml\n      service: inner\n    image: ${SONARR}\n`,
      'common/inner.yml': 'services:\n  inner:\n    image: busybox\n    read_only: true\n    tmpfs: [/run:exec]\n',
    });
    expect(result.changed).toBe(false);
    expect(result.services[0]!.readOnly).toBe(true);
  });

  it('refuses when the base there mounts /run without exec: that file is the one to convert', () => {
    const run = () => convertWith({ 'compose.yml': child('base.yml'), 'base.yml': `services:\n  base:\n    image: ${SONARR}\n    tmpfs: /run\n` });
    expect(run).toThrow(ConvertError);
    expect(run).toThrow('service sonarr: base (base.yml), which it extends, mounts /run without exec; convert it in base.yml first; nothing was written');
  });

  it('adds /run:exec as before when the file is missing, and says so', () => {
    const input = `${child('missing.yml')}    image: ${SONARR}\n`;
    const result = convertWith({ 'compose.yml': input });
    expect(result.output).toBe(`${input}    read_only: true\n    tmpfs:\n      - /run:exec\n`);
    expect(result.services[0]!.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('extends base in missing.yml, which was not found next to the compose file'));
  });

  it('ends a cycle across files at the first file met again', () => {
    const result = convertWith({
      'compose.yml': child('a.yml'),
      'a.yml': 'services:\n  base:\n    extends: {file: b.yml, service: other}\n',
      'b.yml': 'services:\n  other:\n    extends: {file: a.yml, service: base}\n',
    });
    expect(result.output).toBe(`${child('a.yml')}    read_only: true\n    tmpfs:\n      - /run:exec\n`);
  });
});
