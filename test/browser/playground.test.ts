/**
 * The playground page in Debian's Chromium, driven by its labels and roles: the sample it starts
 * with, pasting, selecting, the diff, copy and download, refusals with their line, the share
 * link's round trip, the keyboard path, and no network request once loaded (offline too).
 * RO_SCREENSHOT=1 also writes docs/playground.png, the README's screenshot.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { prepareCli, removeTempDirs } from '../helpers/cli.js';
import { chromiumPresent, choose, cliFlags, downloaded, pageWarnings, ROOT, settled, startPlayground } from './harness.js';
import type { CaseOptions, Playground } from './harness.js';

const SAMPLE = readFileSync(join(ROOT, 'examples/sonarr/compose.yml'), 'utf8');
/** A hand-made stack: a LinuxServer image, a companion image, a secret-looking variable. */
const STACK = [
  'services:',
  '  sonarr:',
  '    image: lscr.io/linuxserver/sonarr:latest',
  '    environment:',
  '      - PUID=1000',
  '      - PGID=1000',
  '      - API_KEY=s3cr3t-value',
  '  db:',
  '    image: postgres:16',
  '    environment:',
  '      POSTGRES_PASSWORD: "hunter2"',
  '',
].join('\n');

let cli: string;
function cliStdout(text: string, options: CaseOptions): string {
  return spawnSync(process.execPath, [cli, ...cliFlags(options), '--stdout', '-'], { input: text, encoding: 'utf8' }).stdout;
}

/** The diff region's lines, as shown. */
const diffLines = (page: Page) => page.getByRole('region', { name: 'Diff' }).locator('pre span').allTextContents();

/** Replaces the text area's content as a paste would (one input event). */
async function paste(page: Page, text: string): Promise<void> {
  await page.getByLabel('Compose file').fill(text);
  await settled(page);
}

/** The line number of the text area's selection start, and whether the text area has the focus. */
const shownLine = (page: Page) =>
  page.getByLabel('Compose file').evaluate((area: HTMLTextAreaElement) => ({
    line: area.value.slice(0, area.selectionStart).split('\n').length,
    focused: document.activeElement === area,
  }));

describe.skipIf(!chromiumPresent())('the playground page', () => {
  let playground: Playground;
  beforeAll(async () => {
    cli = prepareCli();
    playground = await startPlayground();
  });
  afterAll(async () => {
    await playground?.close();
    removeTempDirs();
  });

  it('starts with the sonarr example and its diff, and says the file stays in the page', async () => {
    const { page } = await playground.open();
    expect(await page.getByLabel('Compose file').inputValue()).toBe(SAMPLE);
    expect(await page.locator('#service-list').textContent()).toContain('LinuxServer: read-only supported');
    expect((await diffLines(page)).some((line) => /^\+ +read_only: true$/.test(line))).toBe(true);
    expect((await downloaded(page)).bytes.toString()).toBe(cliStdout(SAMPLE, { supported: true }));
    expect(await page.locator('header').textContent()).toContain('the file is never uploaded');
    if (process.env.RO_SCREENSHOT === '1') {
      await page.setViewportSize({ width: 1280, height: 1000 });
      await page.screenshot({ path: join(ROOT, 'docs/playground.png') });
    }
  });

  it('converts a pasted file for the ticked services only, and for all with the shortcut', async () => {
    const { page } = await playground.open();
    await paste(page, STACK);
    const boxes = page.getByRole('list').getByRole('checkbox');
    expect(await boxes.evaluateAll((inputs: HTMLInputElement[]) => inputs.map((i) => [i.value, i.checked]))).toEqual([
      ['sonarr', true],
      ['db', false],
    ]);
    expect(await page.locator('#service-list').textContent()).toContain('companion table (postgres)');
    // Supported (the default) converts sonarr; ticking db too converts both.
    await page.getByRole('checkbox', { name: 'db', exact: true }).check();
    await settled(page);
    expect((await downloaded(page)).bytes.toString()).toBe(cliStdout(STACK, { services: ['sonarr', 'db'] }));
    await page.getByRole('checkbox', { name: 'sonarr', exact: true }).uncheck();
    await settled(page);
    const dbOnly = await diffLines(page);
    expect(dbOnly).not.toContain('-      - PUID=1000');
    expect(dbOnly.filter((line) => line === '+    read_only: true')).toHaveLength(1);
    expect((await downloaded(page)).bytes.toString()).toBe(cliStdout(STACK, { services: ['db'] }));
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await settled(page);
    expect(await page.getByRole('button', { name: 'All', exact: true }).getAttribute('aria-pressed')).toBe('true');
    expect((await diffLines(page)).filter((line) => line === '+    read_only: true')).toHaveLength(2);
  });

  it('applies the variables to keep and to strip', async () => {
    const { page } = await playground.open();
    await paste(page, STACK);
    await choose(page, { services: ['sonarr'], keepEnv: ['PUID'], stripEnv: ['API_KEY'] });
    const lines = await diffLines(page);
    expect(lines).not.toContain('-      - PUID=1000');
    expect(lines).toContain('-      - PGID=1000');
    expect(lines).toContain('-      - API_KEY=s3cr3t-value');
    expect((await downloaded(page)).bytes.toString()).toBe(cliStdout(STACK, { services: ['sonarr'], keepEnv: ['PUID'], stripEnv: ['API_KEY'] }));
  });

  it('downloads and copies the converted file under the opened file\'s name', async () => {
    const { page, context } = await playground.open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: playground.url.replace(/\/$/, '') });
    await page.getByLabel('Open a file').setInputFiles({ name: 'docker-compose.yml', mimeType: 'text/yaml', buffer: Buffer.from(STACK) });
    await settled(page);
    const file = await downloaded(page);
    expect(file.name).toBe('docker-compose.yml');
    expect(file.bytes.toString()).toBe(cliStdout(STACK, { supported: true }));
    await page.getByRole('button', { name: 'Copy converted file' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(file.bytes.toString());
  });

  it('lists each warning with its line; selecting one shows that line', async () => {
    const { page } = await playground.open();
    await paste(page, STACK);
    const [warning] = await pageWarnings(page);
    expect(warning).toMatch(/^line 5: service sonarr: PUID=1000 and PGID=1000 have no effect read-only/);
    await page.getByRole('list', { name: 'Warnings' }).getByRole('link').first().click();
    expect(await shownLine(page)).toEqual({ line: 5, focused: true });
  });

  it('shows refusals in the page with their line: invalid YAML, not a Compose file, --strict', async () => {
    const { page } = await playground.open();
    await paste(page, 'services:\n  sonarr:\n    image: a\n    image: b\n');
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toContain('Line 4, column 5: invalid YAML: Map keys must be unique');
    expect(await page.getByRole('button', { name: 'Download converted file' }).isDisabled()).toBe(true);
    await alert.getByRole('button', { name: 'Show line 4' }).click();
    expect(await shownLine(page)).toEqual({ line: 4, focused: true });
    await paste(page, '- just\n- a list\n');
    expect(await alert.textContent()).toMatch(/^Line 1, column 1: /);
    // --strict refuses a file with warnings, and still lists the warnings it refuses for.
    await paste(page, STACK);
    await choose(page, { all: true });
    const warnings = await pageWarnings(page);
    expect(warnings.length).toBeGreaterThan(1);
    await page.getByLabel('Strict', { exact: false }).check();
    await settled(page);
    expect(await alert.textContent()).toBe(`--strict: refused because of ${warnings.length} warnings; nothing written`);
    expect(await pageWarnings(page)).toEqual(warnings);
    expect(await diffLines(page)).toEqual([]);
    // A file that is not UTF-8 is refused where its first bad byte is.
    await page.getByLabel('Open a file').setInputFiles({ name: 'latin1.yml', mimeType: 'text/yaml', buffer: Buffer.from('services:\n  caf\xe9:\n', 'latin1') });
    await expect.poll(() => alert.locator('p').textContent()).toBe('Line 2, column 6: not UTF-8 text (binary or another encoding)');
  });

  it('makes a share link that keeps the file and options, with secret-looking values masked, and says so', async () => {
    const { page } = await playground.open();
    await paste(page, STACK);
    await choose(page, { services: ['db'], keepEnv: ['PUID'] });
    await page.getByRole('button', { name: 'Share' }).click();
    const link = await page.getByLabel('Share link').inputValue();
    expect(link.startsWith(`${playground.url}#ro1.`)).toBe(true);
    expect(await page.getByText('are replaced with *** in it').isVisible()).toBe(true);
    const opened = await playground.open(link.slice(playground.url.length));
    expect(await opened.page.getByLabel('Compose file').inputValue()).toBe(STACK.replace('s3cr3t-value', '***').replace('"hunter2"', '"***"'));
    expect(await opened.page.getByRole('checkbox', { name: 'db', exact: true }).isChecked()).toBe(true);
    expect(await opened.page.getByRole('checkbox', { name: 'sonarr', exact: true }).isChecked()).toBe(false);
    expect(await opened.page.getByLabel('Variables to keep').inputValue()).toBe('PUID');
  });

  it('can be used with the keyboard alone', async () => {
    const { page } = await playground.open();
    /** Presses Tab until the focused element's accessible name is `name` (fails when it never is). */
    async function tabTo(name: string): Promise<void> {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement as HTMLInputElement | null;
          return el?.labels?.[0]?.textContent?.trim() ?? el?.textContent?.trim() ?? '';
        });
        if (focused === name) return;
      }
      throw new Error(`Tab never reached ${name}`);
    }
    await page.getByLabel('Compose file').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(STACK);
    await settled(page);
    await tabTo('All');
    await page.keyboard.press('Enter');
    await settled(page);
    await tabTo('sonarr');
    await page.keyboard.press('Space');
    await settled(page);
    expect(await page.getByRole('checkbox', { name: 'sonarr', exact: true }).isChecked()).toBe(false);
    await tabTo('Download converted file');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toBe('compose.yml');
    const [first] = await pageWarnings(page);
    await tabTo(first!);
    await page.keyboard.press('Enter');
    expect((await shownLine(page)).focused).toBe(true);
    expect((await shownLine(page)).line).toBe(Number(/^line (\d+)/.exec(first!)![1]));
  });

  it('makes no network request once loaded, and converts offline', async () => {
    const { page, context, requests } = await playground.open();
    expect(requests.map((r) => r.url().replace(playground.url, '')).sort()).toEqual(['', 'app.js', 'style.css', 'worker.js']);
    const atLoad = requests.length;
    await context.setOffline(true);
    await paste(page, STACK);
    await choose(page, { all: true, keepEnv: ['PGID'] });
    await page.getByRole('button', { name: 'Share' }).click();
    await downloaded(page);
    expect(await diffLines(page)).toContain('+    read_only: true');
    expect(requests.slice(atLoad).map((r) => r.url())).toEqual([]);
  });
});
