/**
 * The page gives the CLI's answers: for every fixture pair, every refusal case and every example,
 * the file the page's "Download converted file" saves is byte for byte what `ro-convert --stdout`
 * prints for the same text and options, and the page lists the CLI's warnings (or shows its
 * refusal, with the line). The CLI reads the text on standard input: like the page, it then has
 * no files beside the compose file (env files, override, extended files) to read.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCli, removeTempDirs } from '../helpers/cli.js';
import { FIXTURES_DIR, fixtureCases } from '../helpers/fixtures.js';
import { chromiumPresent, choose, cliFlags, downloaded, openFile, pageWarnings, ROOT, startPlayground, warningLine } from './harness.js';
import type { CaseOptions, Playground } from './harness.js';
import type { Page } from 'playwright-core';

interface CliReport {
  files: Array<{ error: { message: string; line: number | null; column: number | null } | null; services: Array<{ name: string; warnings: Array<{ code: string; message: string; line: number | null }> }> }>;
}

let cli: string;
/** What the CLI answers for `bytes` on standard input with `options`: the --stdout bytes and the JSON report. */
function cliAnswer(bytes: Buffer, options: CaseOptions): { stdout: Buffer; report: CliReport['files'][0] } {
  const run = (flags: string[]) => spawnSync(process.execPath, [cli, ...cliFlags(options), ...flags, '-'], { input: bytes, env: { ...process.env, NO_COLOR: '1' } });
  const json = run(['--json']);
  return { stdout: run(['--stdout']).stdout, report: (JSON.parse(String(json.stdout)) as CliReport).files[0]! };
}

const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && readdirSync(join(ROOT, 'examples', entry.name)).includes('compose.yml'))
  .flatMap((entry) => [{ all: true }, { supported: true }].map((options) => ({ name: `examples/${entry.name} ${cliFlags(options).join(' ')}`, file: join(ROOT, 'examples', entry.name, 'compose.yml'), options })));
const pairs = fixtureCases().map((fixture) => ({ name: `fixture ${fixture.name}`, file: join(fixture.dir, 'input.yml'), options: fixture.options as CaseOptions }));
const refusals = readdirSync(join(FIXTURES_DIR, 'errors'))
  .filter((name) => name.endsWith('.yml'))
  .map((name) => {
    const sidecar = JSON.parse(readFileSync(join(FIXTURES_DIR, 'errors', name.replace(/\.yml$/, '.json')), 'utf8')) as { options?: CaseOptions };
    return { name: `refusal ${name}`, file: join(FIXTURES_DIR, 'errors', name), options: sidecar.options ?? { all: true } };
  });

describe.skipIf(!chromiumPresent())('the page answers as the CLI does', () => {
  let playground: Playground;
  let page: Page;
  beforeAll(async () => {
    cli = prepareCli();
    playground = await startPlayground();
    ({ page } = await playground.open());
  });
  afterAll(async () => {
    await playground?.close();
    removeTempDirs();
  });

  it.each([...examples, ...pairs])('$name: the downloaded file is --stdout, the warnings are the CLI\'s', async ({ file, options }) => {
    const bytes = readFileSync(file);
    const expected = cliAnswer(bytes, options);
    expect(expected.report.error).toBeNull();
    await openFile(page, 'compose.yml', bytes);
    await choose(page, options);
    expect((await downloaded(page)).bytes.equals(expected.stdout)).toBe(true);
    expect(await pageWarnings(page)).toEqual(expected.report.services.flatMap((s) => s.warnings.map((w) => warningLine(s.name, w))));
  });

  it.each(refusals)('$name: the CLI\'s refusal, with its line, and nothing to download', async ({ file, options }) => {
    const bytes = readFileSync(file);
    const { error } = cliAnswer(bytes, options).report;
    expect(error).not.toBeNull();
    await openFile(page, 'compose.yml', bytes);
    await choose(page, options);
    const where = error!.line === null ? '' : `Line ${error!.line}${error!.column === null ? '' : `, column ${error!.column}`}: `;
    await expect.poll(() => page.getByRole('alert').locator('p').textContent()).toBe(`${where}${error!.message}`);
    expect(await page.getByRole('button', { name: 'Download converted file' }).isDisabled()).toBe(true);
  });
});
