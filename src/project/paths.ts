/**
 * POSIX path arithmetic for the project model, which the browser build runs too (no `node:path`
 * there). Paths in a project are absolute: the caller resolves the command line's paths first.
 */

/** The folder of `path` (`/a/b/c.yml` → `/a/b`). */
export function dirOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** `path` against the folder `dir` (an absolute `path` as it is), `.` and `..` resolved. */
export function resolveIn(dir: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${dir}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** True when `path` is `dir` or lies under it (both absolute and normalised). */
export function isInside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}
