/**
 * The browser tests' harness: the page built by scripts/build-web.mjs (into a folder of its own),
 * served from a tiny static server on 127.0.0.1 (random port), and Debian's Chromium driven by
 * playwright-core (no browser is ever downloaded). Every request the page makes is recorded, for
 * the no-network promise.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { CHROMIUM, launchChromium, servePlayground, settled } from '../../scripts/playground-browser.mjs';

export { settled };
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Whether the browser tests can run here. Without Chromium they are skipped with one line,
 * unless CI=true: there they must run, and fail when Chromium is missing.
 */
export function chromiumPresent(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') return true; // launching fails, and with it the tests
  console.log(`skipped: browser tests (test/browser), ${CHROMIUM} is missing (apt-get install chromium; CI=true requires it)`);
  return false;
}

/** The page's server and browser for one test file. */
export interface Playground {
  url: string;
  browser: Browser;
  /** A new page in a fresh context, loaded and settled; `requests` lists every request it made. */
  open(hash?: string): Promise<{ page: Page; context: BrowserContext; requests: Request[] }>;
  close(): Promise<void>;
}

export async function startPlayground(): Promise<Playground> {
  const server = await servePlayground();
  const browser = await launchChromium();
  return {
    url: server.url,
    browser,
    async open(hash = '') {
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      const requests: Request[] = [];
      page.on('request', (request) => requests.push(request));
      await page.goto(server.url + hash);
      await settled(page);
      return { page, context, requests };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The options of a fixture case (options.json), as the page and the CLI are given them. */
export interface CaseOptions {
  all?: boolean;
  supported?: boolean;
  services?: string[];
  keepEnv?: string[];
  stripEnv?: string[];
  strict?: boolean;
}

/** The CLI's flags for `options`. */
export function cliFlags(options: CaseOptions): string[] {
  return [
    ...(options.all ? ['--all'] : []),
    ...(options.supported ? ['--supported'] : []),
    ...(options.services ?? []).flatMap((name) => ['--service', name]),
    ...(options.keepEnv?.length ? ['--keep-env', options.keepEnv.join(',')] : []),
    ...(options.stripEnv?.length ? ['--strip-env', options.stripEnv.join(',')] : []),
    ...(options.strict ? ['--strict'] : []),
  ];
}

/** Loads `bytes` through the page's "Open a file" input, as a user opening a file would. */
export async function openFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.getByLabel('Open a file').setInputFiles({ name, mimeType: 'text/yaml', buffer: bytes });
  await settled(page);
}

/** Sets the page's selection and options by their labels, as a user would. */
export async function choose(page: Page, options: CaseOptions): Promise<void> {
  if (options.all) await page.getByRole('button', { name: 'All', exact: true }).click();
  else if (options.supported) await page.getByRole('button', { name: 'Supported', exact: true }).click();
  else {
    await page.getByRole('button', { name: 'None', exact: true }).click();
    await settled(page);
    for (const name of options.services ?? []) {
      await page.getByRole('checkbox', { name, exact: true }).check();
      await settled(page);
    }
  }
  await page.getByLabel('Variables to keep').fill((options.keepEnv ?? []).join(', '));
  await page.getByLabel('Variables to strip too').fill((options.stripEnv ?? []).join(', '));
  await page.getByLabel('Strict', { exact: false }).setChecked(Boolean(options.strict));
  await settled(page);
}

/** The converted file as the page's "Download converted file" button saves it. */
export async function downloaded(page: Page): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download converted file' }).click()]);
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

/** The warnings the page lists, as it words them. */
export async function pageWarnings(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Warnings' }).getByRole('listitem').allTextContents();
}

/** A warning of the CLI's JSON report in the page's words: the CLI's line without the file name. */
export function warningLine(service: string, warning: { code: string; message: string; line: number | null }): string {
  return `${warning.line === null ? '' : `line ${warning.line}: `}service ${service}: ${warning.message} [${warning.code}]`;
}
