// A file named alone is read once (issue 24 task: the project check and the conversion share the
// text): counted at the two functions compose files are read with.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

const reads: string[] = [];
vi.mock('../src/io/files.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/io/files.js')>();
  return {
    ...original,
    // readText reads through readRegularFile inside the module (not seen here): each counts once.
    readText: (path: string) => {
      reads.push(path);
      return original.readText(path);
    },
    readRegularFile: (path: string, maxBytes: number) => {
      reads.push(path);
      return original.readRegularFile(path, maxBytes);
    },
  };
});
const { processFile } = await import('../src/io/process-file.js');

const dir = mkdtempSync(join(tmpdir(), 'ro-convert-one-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  reads.length = 0;
});

const job = (path: string) => ({ path, options: { all: true }, write: false, strict: false, wantDiff: true, wantTexts: false, project: { files: [path], single: true } });

describe('a compose file named alone is read once', () => {
  it('when it spans no other file (the single-file conversion)', async () => {
    const path = join(dir, 'alone.yml');
    writeFileSync(path, 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n');
    const outcome = await processFile(job(path));
    expect(outcome.report.status).toBe('changed');
    expect(reads.filter((p) => p === path)).toHaveLength(1);
  });

  it('when it names an env file (the project loader)', async () => {
    const path = join(dir, 'with-env.yml');
    writeFileSync(path, 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    env_file: sonarr.env\n');
    writeFileSync(join(dir, 'sonarr.env'), 'PUID=1000\nTZ=Etc/UTC\n');
    const outcome = await processFile(job(path));
    expect(outcome.report.status).toBe('changed');
    expect(reads.filter((p) => p === path)).toHaveLength(1);
  });
});
