// The command's entry point (dist/cli.js): runs the CLI bundle (dist/cli-app.js) from V8's code
// cache, which the build writes next to it. Compiling the bundle is a third of a one-file run's
// start-up; Node 22 has module.enableCompileCache for this, Node 20 needs these lines. A cache
// from another Node or V8 version is rejected by V8 and the bundle compiled as usual.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const app = new URL('./cli-app.js', import.meta.url);
const cache = new URL('./cli-app.cache', import.meta.url);
let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cache);
} catch {
  // No cache (a partial build): compile as usual.
}
const filename = fileURLToPath(app);
// The bundle is ASCII (the build checks it), so latin1 reads it as UTF-8 would, without decoding.
// The build wrote it as a function of what a CommonJS module receives.
const script = new Script(readFileSync(app, 'latin1'), { filename, cachedData });
// The build runs one conversion with this set, then keeps the code compiled by then.
if (process.env.RO_CONVERT_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cache, script.createCachedData()));
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(app), module, filename, fileURLToPath(new URL('.', app)));
