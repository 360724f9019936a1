// The command's entry point (dist/cli.js): runs the CLI bundle (dist/cli-app.js) from V8's code
// cache, which the build writes next to it. Compiling the bundle is a third of a one-file run's
// start-up; Node 22 has module.enableCompileCache for this, Node 20 needs these lines. A cache
// from another Node or V8 version is rejected by V8 and the bundle compiled as usual.
// This file runs as CommonJS, so it uses its own __dirname and require: the bundle beside it
// needs only Node's built-in modules, and file URLs or node:module cost time at every start.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

const filename = join(__dirname, 'cli-app.js');
const cache = join(__dirname, 'cli-app.cache');
let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cache);
} catch {
  // No cache (a partial build): compile as usual.
}
// The bundle is ASCII (the build checks it), so latin1 reads it as UTF-8 would, without decoding.
// The build wrote it as a function of what a CommonJS module receives.
const script = new Script(readFileSync(filename, 'latin1'), { filename, cachedData });
// The build runs one conversion with this set, then keeps the code compiled by then.
if (process.env.RO_CONVERT_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cache, script.createCachedData()));
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, filename, __dirname);
