// The project model against Compose v2 itself: for every hand-made project fixture and every
// real project of ../shared/corpus/projects, ro-convert's merged view of each service (image,
// read_only, tmpfs, the container's environment with env files) equals what
// `docker compose config --format json` prints. Skipped with one line when Compose v2 or
// ../shared is missing, except in CI, where that fails.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../src/io/project-load.js';
import { mergeProject, ProjectError } from '../src/project/merge.js';
import { cleanEnv, composeConfig, projectArgs, projectFixtures, projectTestNeeds } from './helpers/projects.js';
import type { ProjectCase } from './helpers/projects.js';
import { composeViewAsModel, modelView } from './helpers/compose-views.js';

const { inCI, compose, corpus } = await projectTestNeeds('project-model.test', ' the Compose comparisons');

async function compareWithCompose(project: ProjectCase): Promise<void> {
  const config = await composeConfig(project.dir, project.compose);
  if ('error' in config) throw new Error(`docker compose config failed on ${project.name}: ${config.error}`);
  const { project: files, read } = loadProject({ ...projectArgs(project.run), cwd: project.dir, env: cleanEnv() });
  const merged = mergeProject(files, read);
  const names = Object.keys(config.services);
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) {
    const service = merged.get(name);
    expect(service, `${project.name}: service ${name}`).toBeDefined();
    expect(modelView(service!), `${project.name}: service ${name}`).toEqual(composeViewAsModel(project.name, name, config.services[name]!));
  }
}

describe.skipIf(!compose && !inCI)('merged view equals docker compose config', () => {
  const fixtures = projectFixtures();
  it('has the hand-made fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(7));
  for (const project of fixtures) it(`fixture ${project.name}`, () => compareWithCompose(project), 30_000);
});

describe.skipIf((!compose || corpus.length === 0) && !inCI)('merged view of the real projects equals docker compose config', () => {
  it('has the real projects', () => expect(corpus.length).toBeGreaterThan(0));
  for (const project of corpus) it(`real project ${project.name}`, () => compareWithCompose(project), 30_000);
});

describe('projects Compose cannot load: one line naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ro-convert-project-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  const load = (files: string[]) => {
    const { project, read } = loadProject({ files, cwd: dir, env: {} });
    return mergeProject(project, read);
  };
  const failure = (files: string[]) => {
    try {
      load(files);
    } catch (error) {
      expect(error).toBeInstanceOf(ProjectError);
      return { file: relative(dir, (error as ProjectError).file), message: (error as Error).message };
    }
    throw new Error('loaded');
  };

  it('a missing -f file', () => expect(failure(['gone.yml'])).toEqual({ file: 'gone.yml', message: 'no such compose file' }));
  it('a missing included file', () => {
    write('a/compose.yml', 'include: [missing.yml]\nservices: {}\n');
    expect(failure(['a/compose.yml'])).toEqual({ file: 'a/missing.yml', message: `included file not found (included by ${join(dir, 'a/compose.yml')})` });
  });
  it('an include cycle', () => {
    write('b/one.yml', 'include: [two.yml]\n');
    write('b/two.yml', 'include: [one.yml]\n');
    expect(failure(['b/one.yml']).message).toBe(`include cycle: ${join(dir, 'b/one.yml')} -> ${join(dir, 'b/two.yml')} -> ${join(dir, 'b/one.yml')}`);
  });
  it('a missing required env file, but not an optional one', () => {
    write('c/compose.yml', 'services:\n  a:\n    image: x\n    env_file: [{path: opt.env, required: false}, need.env]\n');
    expect(failure(['c/compose.yml'])).toEqual({ file: 'c/need.env', message: 'env file not found (service a reads it; `required: false` makes it optional)' });
    write('c/need.env', 'PUID=1\n');
    expect(load(['c/compose.yml']).get('a')!.environment.get('PUID')).toEqual({ value: '1', files: [], envFiles: [{ path: join(dir, 'c/need.env'), line: 1 }] });
  });
  it('a file that is not a compose file', () => {
    write('d/list.yml', '- a\n- b\n');
    write('d/notes.yml', 'title: x\n');
    expect(failure(['d/list.yml'])).toEqual({ file: 'd/list.yml', message: 'not a compose file (it does not parse as a YAML mapping)' });
    expect(failure(['d/notes.yml']).message).toMatch(/^not a compose file/);
  });
  it('a service defined both in a file and, differently, in a project it includes', () => {
    write('e/compose.yml', 'include: [inc.yml]\nservices:\n  a: {image: x}\n');
    write('e/inc.yml', 'services:\n  a: {image: y}\n');
    expect(failure(['e/compose.yml'])).toEqual({
      file: 'e/compose.yml',
      message: `service a is defined here and, differently, in the included ${join(dir, 'e/inc.yml')}; Compose refuses this (conflicts with imported resource)`,
    });
  });
  it('a network defined differently by two included projects', () => {
    write('f/compose.yml', 'include: [one.yml, two.yml]\n');
    write('f/one.yml', 'services:\n  a: {image: x}\nnetworks:\n  media: {}\n');
    write('f/two.yml', 'services:\n  b: {image: x}\nnetworks:\n  media: {driver: bridge}\n');
    expect(failure(['f/compose.yml'])).toEqual({
      file: 'f/compose.yml',
      message: `networks.media is defined differently by two included projects (${join(dir, 'f/one.yml')} and ${join(dir, 'f/two.yml')}); Compose refuses this (conflicts with imported resource)`,
    });
  });
});

// Where Compose refuses a name defined twice (a service, network, volume, secret or config in an
// included file and in the including file, or in two included files), the model refuses; where
// Compose takes the two as one (alike, and relative paths meaning the same), the model does too.
describe.skipIf(!compose && !inCI)('a name defined twice: refused exactly where Compose refuses it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ro-convert-clash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'inc.yml': 'services:\n  a: {image: y}\nnetworks:\n  n: {}\nvolumes:\n  v: {}\nsecrets:\n  s: {file: ./s}\nconfigs:\n  c: {file: ./c}\n',
    'same.yml': 'services:\n  a: {image: y}\n',
    'other.yml': 'services:\n  a: {image: z}\n',
    'net.yml': 'services: {}\nnetworks:\n  n: {driver: bridge}\n',
    'vol.yml': 'services: {}\nvolumes:\n  v: {}\n',
    'sec.yml': 'services: {}\nsecrets:\n  s: {file: ./other}\n',
    'cfg.yml': 'services: {}\nconfigs:\n  c: {file: ./c}\n',
    'd1/bind.yml': 'services:\n  a: {image: y, volumes: [./data:/data]}\n',
    'd2/bind.yml': 'services:\n  a: {image: y, volumes: [./data:/data]}\n',
    'here-differs.yml': 'include: [inc.yml]\nservices:\n  a: {image: x}\n',
    'here-alike.yml': 'include: [inc.yml]\nservices:\n  a: {image: y}\n',
    'two-differ.yml': 'include: [inc.yml, other.yml]\n',
    'two-alike.yml': 'include: [inc.yml, same.yml]\n',
    'twice.yml': 'include: [inc.yml, inc.yml]\n',
    'network-differs.yml': 'include: [inc.yml, net.yml]\n',
    'volume-alike.yml': 'include: [inc.yml, vol.yml]\n',
    'secret-differs.yml': 'include: [inc.yml]\nsecrets:\n  s: {file: ./other}\n',
    'config-alike.yml': 'include: [inc.yml, cfg.yml]\n',
    'binds-in-two-folders.yml': 'include: [d1/bind.yml, d2/bind.yml]\n',
    'nested.yml': 'include: [nest/in.yml, other.yml]\n',
    'nest/in.yml': 'include: [../inc.yml]\n',
    'chain-1.yml': 'include: [inc.yml]\n',
    'chain-2.yml': 'include: [other.yml]\n',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const cases = [['here-differs.yml'], ['here-alike.yml'], ['two-differ.yml'], ['two-alike.yml'], ['twice.yml'], ['network-differs.yml'], ['volume-alike.yml'], ['secret-differs.yml'], ['config-alike.yml'], ['binds-in-two-folders.yml'], ['nested.yml'], ['chain-1.yml', 'chain-2.yml']];
  it.each(cases.map((c) => [c.join(' '), c]))('%s', async (_, chain) => {
    const config = await composeConfig(dir, chain.flatMap((f) => ['-f', f]));
    let refusal: string | null = null;
    try {
      const { project, read } = loadProject({ files: chain, cwd: dir, env: {} });
      mergeProject(project, read);
    } catch (error) {
      expect(error).toBeInstanceOf(ProjectError);
      refusal = (error as Error).message;
    }
    if ('error' in config) expect(refusal, config.error).toMatch(/ is defined .*; Compose refuses this \(conflicts with imported resource\)$/);
    else expect(refusal).toBeNull();
  }, 30_000);
});
