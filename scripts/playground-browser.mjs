// The playground page in a real browser, for its tests (test/browser) and the bench: the page
// built as web/dist is, into a temporary folder, served from 127.0.0.1, and Debian's Chromium
// launched by playwright-core (which never downloads a browser: it is pointed at /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * Builds the page (npm run build:web) into a folder of its own, and serves its files, nothing
 * else; resolves to its URL and a close() that also removes the folder.
 */
export async function servePlayground() {
  const DIST = mkdtempSync(join(tmpdir(), 'ro-playground-'));
  execFileSync(process.execPath, ['scripts/build-web.mjs', DIST], { cwd: ROOT, stdio: 'inherit' });
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(DIST, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(DIST) || !existsSync(file)) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(DIST, { recursive: true, force: true });
  };
  return { url: `http://127.0.0.1:${server.address().port}/`, close };
}

/**
 * Debian's Chromium, headless, with nothing of its own on the network (no updates, sync or
 * QUIC probes). launch() gives it a fresh --user-data-dir (a temporary folder it removes).
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Waits until the page has drawn the conversion of its current input. */
export async function settled(page) {
  await page.getByRole('region', { name: 'Diff' }).and(page.locator('[aria-busy=false]')).waitFor();
}
