// Layers byte for byte: every folder of test/fixtures-layers holds a project (compose.yml), maybe
// the layer as it is (compose.readonly.yml), layer.json (the selection; `stale`: the layer exists
// but an upstream change needs it updated) and expected.yml, the layer ro-convert must write.
// Each case also checks that the layer written is final (a second run changes nothing, --check
// passes), and that Compose v2 merges the project with it as ro-convert does. Refusals below.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../src/io/project-load.js';
import { writeLayer } from '../src/project/layer.js';
import { mergeProject } from '../src/project/merge.js';
import { ConvertError } from '../src/parse/errors.js';
import { composeConfig, hasComposeV2 } from './helpers/projects.js';
import { composeView, modelView } from './helpers/compose-views.js';

const FIXTURES = join(import.meta.dirname, 'fixtures-layers');
const LAYER = 'compose.readonly.yml';
const inCI = process.env.CI === 'true';
const compose = await hasComposeV2();
if (!compose && !inCI) console.warn('layer-fixtures.test: SKIPPED the Compose comparisons — docker compose (v2) is not installed; CI fails without it');
const work = mkdtempSync(join(tmpdir(), 'ro-convert-layer-fixtures-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function layerOf(dir: string, args: readonly string[], files = ['compose.yml'], path = LAYER) {
  const { project, read } = loadProject({ files, cwd: dir, env: {} });
  const selection = args[0] === '--all' ? { all: true } : { services: args[1]!.split(',') };
  return { project, read, result: writeLayer(project, read, { ...selection, path: join(dir, path), loading: 'last-file', display: (p) => relative(dir, p) }) };
}

const cases = readdirSync(FIXTURES).sort();

describe.each(cases)('layer fixture %s', (name) => {
  const source = join(FIXTURES, name);
  const spec = JSON.parse(readFileSync(join(source, 'layer.json'), 'utf8')) as { args: string[]; stale?: boolean };
  const expected = readFileSync(join(source, 'expected.yml'), 'utf8');

  it('writes exactly expected.yml, and leaves compose.yml as it is', () => {
    const { result } = layerOf(source, spec.args);
    expect(result.output).toBe(expected);
    expect(result.input).toBe(existsSync(join(source, LAYER)) ? readFileSync(join(source, LAYER), 'utf8') : null);
    expect(result.baseFiles).toEqual([join(source, 'compose.yml')]);
    // --check fails on the layer as it was: not read-only, or stale.
    expect(result.unmet.length > 0 || result.changed).toBe(true);
    if (spec.stale) expect(result.input, 'a stale case has a layer').not.toBeNull();
  });

  it('is final: a second run changes nothing, and --check passes', () => {
    const dir = join(work, name);
    cpSync(source, dir, { recursive: true });
    writeFileSync(join(dir, LAYER), expected);
    const { result } = layerOf(dir, spec.args);
    expect(result.changed).toBe(false);
    expect(result.unmet).toEqual([]);
  });

  it.skipIf(!compose && !inCI)('is merged by Compose v2 as ro-convert merges it', async () => {
    const dir = join(work, `${name}-compose`);
    cpSync(source, dir, { recursive: true });
    writeFileSync(join(dir, LAYER), expected);
    const config = await composeConfig(dir, ['-f', 'compose.yml', '-f', LAYER]);
    if ('error' in config) throw new Error(config.error);
    const { project, read } = loadProject({ files: ['compose.yml', LAYER], cwd: dir, env: {} });
    const merged = mergeProject(project, read);
    for (const service of Object.keys(config.services)) expect(modelView(merged.get(service)!), service).toEqual(composeView(config.services[service]!));
  }, 30_000);
});

describe('layers refused', () => {
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ConvertError);
      return (error as ConvertError).message;
    }
    throw new Error('not refused');
  };
  const dir = join(FIXTURES, 'existing-layer');

  it('a layer loaded before another file', () => {
    expect(refusal(() => layerOf(dir, ['--all'], [LAYER, 'compose.yml']))).toMatch(/loaded before compose\.yml; a layer must be the last file/);
  });

  it('a layer that is the only file', () => {
    expect(refusal(() => layerOf(dir, ['--all'], [LAYER]))).toMatch(/only file of the project/);
  });
});
