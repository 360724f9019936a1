// Hardening as a layer, judged by Compose v2: every hand-made project fixture and every real
// project of ../shared/corpus/projects gets a layer (in a temporary copy); then
// `docker compose -f BASE… -f LAYER config` must show every selected service read-only with one
// exec /run tmpfs and no stripped variable a compose file sets (an env file's stay, with a
// warning), every other service as before, ro-convert's own merged view equal to Compose's,
// every file of the project byte for byte, and a second run must change nothing.
// Skipped with one line when Compose v2 or ../shared is missing, except in CI, where that fails.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../src/io/project-load.js';
import { writeLayer } from '../src/project/layer.js';
import { mergeProject } from '../src/project/merge.js';
import { cleanEnv, composeConfig, projectArgs, projectFixtures, selectionOf, projectTestNeeds } from './helpers/projects.js';
import type { ProjectCase } from './helpers/projects.js';
import { composeViewAsModel, modelView, readOnlyLeft } from './helpers/compose-views.js';

const { inCI, compose, corpus } = await projectTestNeeds('project-layer.test');

const work = mkdtempSync(join(tmpdir(), 'ro-convert-layers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LAYER = 'compose.readonly.yml';

function layerIn(dir: string, project: ProjectCase) {
  const loaded = loadProject({ ...projectArgs(project.run), cwd: dir, env: cleanEnv() });
  const result = writeLayer(loaded.project, loaded.read, { ...selectionOf(project.args), path: join(dir, LAYER), loading: 'last-file', display: (path) => relative(dir, path) });
  return { ...loaded, result };
}

/** Every file under `dir`, path → text. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.set(join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return out;
}

/** Compose's arguments with the layer loaded last: the case's `-f` chain (or the files it found) and then the layer. */
function withLayerArgs(project: ProjectCase, dir: string, baseFiles: readonly string[]): string[] {
  const named = project.compose.includes('-f');
  const files = named ? [] : baseFiles.flatMap((f) => ['-f', relative(dir, f)]);
  return [...project.compose, ...files, '-f', LAYER];
}

async function checkLayer(project: ProjectCase): Promise<void> {
  const dir = join(work, project.name);
  cpSync(project.dir, dir, { recursive: true });
  const files = snapshot(dir);
  const before = await composeConfig(dir, project.compose);
  if ('error' in before) throw new Error(before.error);
  const { project: loaded, read, result } = layerIn(dir, project);
  expect(result.changed, 'a new layer is written').toBe(true);
  expect(result.unmet.length, '--check fails before').toBeGreaterThan(0);
  writeFileSync(result.path, result.output);
  const after = await composeConfig(dir, withLayerArgs(project, dir, result.baseFiles));
  if ('error' in after) throw new Error(`docker compose config refuses the layer: ${after.error}\n${result.output}`);
  const selected = result.services.map((s) => s.name);
  // A case names the services Compose starts; a layer also covers those behind an inactive profile.
  for (const name of (project.spec.selected as string[] | undefined) ?? []) expect(selected, 'selected').toContain(name);
  for (const name of Object.keys(before.services)) {
    const service = after.services[name]!;
    if (!selected.includes(name)) {
      expect(service, `unselected ${name} unchanged`).toEqual(before.services[name]);
      continue;
    }
    const left = readOnlyLeft(name, service);
    const warned = result.services.find((s) => s.name === name)!.warnings.filter((w) => w.code === 'env-file').map((w) => w.message.split(' ')[0]!);
    expect(left.sort(), `${name}: variables left are those an env file gives, each warned about`).toEqual([...new Set(warned)].filter((v) => left.includes(v)).sort());
    for (const variable of left) expect(warned, `${name}: a warning names ${variable}`).toContain(variable);
  }
  // ro-convert's merged view of the base files and the layer is Compose's.
  const merged = mergeProject({ ...loaded, files: [...loaded.files.filter((f) => f.path !== result.path), { path: result.path, text: result.output, includes: [] }] }, read);
  for (const name of Object.keys(after.services)) expect(modelView(merged.get(name)!), `merged view of ${name}`).toEqual(composeViewAsModel(project.name, name, after.services[name]!));
  for (const [path, text] of files) expect(readFileSync(path, 'utf8'), `${relative(dir, path)} byte for byte`).toBe(text);
  const again = layerIn(dir, project).result;
  expect(again.changed, 'a second run changes nothing').toBe(false);
  expect(again.unmet, '--check passes with the layer').toEqual([]);
}

describe.skipIf(!compose && !inCI)('project fixtures hardened as a layer, as Compose v2 runs them', () => {
  for (const project of projectFixtures()) it(project.name, () => checkLayer(project), 60_000);
});

describe.skipIf((!compose || corpus.length === 0) && !inCI)('real projects hardened as a layer, as Compose v2 runs them', () => {
  it('has the real projects', () => expect(corpus.length).toBeGreaterThan(0));
  for (const project of corpus) it(project.name, () => checkLayer(project), 60_000);
});
