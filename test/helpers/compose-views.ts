import { expect } from 'vitest';
import { DEFAULT_STRIP } from '../../src/model/select.js';
import type { MergedService } from '../../src/project/merge.js';

/** What a comparison with `docker compose config` reads of a merged service, in Compose's JSON form. */
export function modelView(service: MergedService) {
  const readOnly = service.readOnly === true || service.readOnly === 'true';
  return {
    image: service.image ?? undefined,
    read_only: readOnly || undefined,
    tmpfs: service.tmpfs.length ? service.tmpfs.map((t) => t.entry) : undefined,
    environment: service.environment.size ? Object.fromEntries([...service.environment].map(([name, source]) => [name, source.value])) : undefined,
  };
}

/** The same of a service of `docker compose config --format json`. */
export function composeView(service: Record<string, unknown>) {
  const environment = service.environment as Record<string, string | null> | undefined;
  const tmpfs = service.tmpfs as string[] | string | undefined;
  return {
    image: service.image as string | undefined,
    read_only: service.read_only === true || undefined,
    tmpfs: tmpfs === undefined ? undefined : Array.isArray(tmpfs) ? tmpfs : [tmpfs],
    // `config` writes a literal `$` as `$$`.
    environment: environment && Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, value === null ? null : value.replaceAll('$$', '$')])),
  };
}

/**
 * Where ro-convert's reading differs from Compose's on purpose, each asserted to still differ (so
 * a fix shows): go-yaml reads a plain `022` as octal (18), YAML 1.2 as decimal; the conversion
 * never changes such a value, and compares it with itself before and after.
 */
const KNOWN_DIFFERENCES: Record<string, { service: string; variable: string; compose: string; model: string }[]> = {
  'rw-01-htpcbeginner-include-by-hostname': [{ service: 'jellyfin', variable: 'UMASK_SET', compose: '18', model: '22' }],
};

/** Compose's view of a service with the known differences asserted (each must still differ) and set to the model's reading. */
export function composeViewAsModel(project: string, name: string, service: Record<string, unknown>) {
  const theirs = composeView(service);
  for (const known of KNOWN_DIFFERENCES[project] ?? []) {
    if (known.service !== name) continue;
    expect(theirs.environment?.[known.variable], `${project}: ${name} ${known.variable} as Compose reads it`).toBe(known.compose);
    theirs.environment![known.variable] = known.model;
  }
  return theirs;
}

/** Asserts that a service of `docker compose config` runs read-only with one `/run` tmpfs with exec; returns the stripped variables it still has. */
export function readOnlyLeft(name: string, service: Record<string, unknown>): string[] {
  expect(service.read_only, `${name} read_only`).toBe(true);
  const runs = ((service.tmpfs as string[] | undefined) ?? []).filter((t) => t === '/run' || t.startsWith('/run:'));
  expect(runs, `${name}: one /run tmpfs with exec`).toHaveLength(1);
  expect(runs[0]).toMatch(/[:,]exec\b/);
  return Object.keys((service.environment as Record<string, unknown>) ?? {}).filter((v) => DEFAULT_STRIP.includes(v) || v.startsWith('DOCKER_MODS_'));
}
