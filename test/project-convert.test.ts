// Project conversion judged by Compose v2: every hand-made project fixture and every real project
// of ../shared/corpus/projects is converted (in a temporary copy), then `docker compose config`
// must show every selected service read-only with one exec /run tmpfs and no stripped variable
// (except those the case keeps, with the warning it names), every other service exactly as
// before, the files the case lists byte for byte, and a second conversion must change nothing.
// Skipped with one line when Compose v2 or ../shared is missing, except in CI, where that fails.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../src/io/project-load.js';
import { convertProject } from '../src/project/convert-project.js';
import { cleanEnv, composeConfig, projectArgs, projectFixtures, selectionOf, projectTestNeeds } from './helpers/projects.js';
import type { ProjectCase } from './helpers/projects.js';
import { readOnlyLeft } from './helpers/compose-views.js';

const { inCI, compose, corpus } = await projectTestNeeds('project-convert.test');

const work = mkdtempSync(join(tmpdir(), 'ro-convert-projects-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function convertIn(dir: string, project: ProjectCase) {
  const { project: files, read } = loadProject({ ...projectArgs(project.run), cwd: dir, env: cleanEnv() });
  return convertProject(files, read, { ...selectionOf(project.args), display: (path) => relative(dir, path) });
}

async function checkProject(project: ProjectCase): Promise<void> {
  const dir = join(work, project.name);
  cpSync(project.dir, dir, { recursive: true });
  const before = await composeConfig(dir, project.compose);
  if ('error' in before) throw new Error(before.error);
  const result = convertIn(dir, project);
  expect(result.files.some((f) => f.changed), 'the conversion changes something (--check fails before)').toBe(true);
  for (const file of result.files) if (file.changed) writeFileSync(file.path, file.output);
  const after = await composeConfig(dir, project.compose);
  if ('error' in after) throw new Error(`docker compose config refuses the converted project: ${after.error}`);
  const converted = new Set(result.files.flatMap((f) => f.services.map((s) => s.name)));
  const selected = (project.spec.selected as string[] | undefined) ?? [...converted];
  const keep = (project.spec.keep ?? {}) as Record<string, string[]>;
  for (const name of Object.keys(before.services)) {
    const service = after.services[name]!;
    if (!selected.includes(name)) {
      expect(service, `unselected ${name} unchanged`).toEqual(before.services[name]);
      continue;
    }
    const left = readOnlyLeft(name, service);
    expect(left.sort(), `${name}: variables left`).toEqual((keep[name] ?? []).filter((v) => Object.hasOwn((before.services[name]!.environment as object) ?? {}, v)).sort());
  }
  for (const file of [...((project.spec.unchanged as string[]) ?? []), '.env']) {
    let original: string;
    try {
      original = readFileSync(join(project.dir, file), 'utf8');
    } catch {
      continue;
    }
    expect(readFileSync(join(dir, file), 'utf8'), `${file} byte for byte`).toBe(original);
  }
  const warnings = result.files.flatMap((f) => f.services.flatMap((s) => s.warnings.map((w) => w.message)));
  for (const { file, lines } of (project.spec.warns ?? []) as { file: string; lines: number[] }[]) {
    const about = warnings.filter((w) => w.includes(`env_file ${relative(dir, join(dir, file))}`) || w.includes(`${file} sets`));
    expect(about.length, `a warning names ${file}`).toBeGreaterThan(0);
    for (const line of lines) expect(about.some((w) => w.includes(`(line ${line})`)), `${file} line ${line}`).toBe(true);
  }
  expect(convertIn(dir, project).files.filter((f) => f.changed).map((f) => f.path), 'a second run changes nothing').toEqual([]);
}

describe.skipIf(!compose && !inCI)('project fixtures converted, as Compose v2 runs them', () => {
  for (const project of projectFixtures()) it(project.name, () => checkProject(project), 60_000);
});

describe.skipIf((!compose || corpus.length === 0) && !inCI)('real projects converted, as Compose v2 runs them', () => {
  it('has the real projects', () => expect(corpus.length).toBeGreaterThan(0));
  for (const project of corpus) it(project.name, () => checkProject(project), 60_000);
});
