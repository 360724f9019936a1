import { createLayout } from '../src/parse/layout.js';
import { overrideReadOnly, overrideService } from '../src/model/override.js';
import { environmentEntries, hasExec, tmpfsEntries, tmpfsPath } from '../src/model/service-values.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { effectiveValue } from '../src/parse/yaml-nodes.js';
import { listText, warningsOnly } from './warn-helpers.js';

/**
 * The override file Compose merges over this one (`compose.override.yml`) undoes part of the
 * conversion for this service: the later `read_only` wins, `environment` is merged by key (a
 * stripped variable comes back), and `tmpfs` entries are de-duplicated by their whole string
 * (a `/run` entry without exec is added next to `/run:exec`).
 */
export function warnOverride(ctx: ServiceContext): TransformResult {
  const override = ctx.related?.override();
  const entry = override && overrideService(override, ctx.service.name);
  if (!override || !entry) return warningsOnly([]);
  const { doc, map, key } = entry;
  const undoes: string[] = [];
  const readOnly = overrideReadOnly(entry);
  if (readOnly) undoes.push(`read_only: ${readOnly.source ?? String(readOnly.value)}`);
  const stripped = environmentEntries(effectiveValue(map, 'environment', doc), doc).filter((e) => ctx.strip.has(e.name)).map((e) => e.name);
  if (stripped.length) undoes.push(`environment ${listText([...new Set(stripped)])}`);
  const runs = tmpfsEntries(effectiveValue(map, 'tmpfs', doc), doc).filter((e) => tmpfsPath(e) === '/run' && !hasExec(e));
  if (runs.length) undoes.push(`tmpfs ${runs.join(', ')} without exec`);
  if (undoes.length === 0) return warningsOnly([]);
  const line = key.range ? createLayout(override.text).position(key.range[0]).line : null;
  const where = line === null ? override.path : `${override.path}:${line}`;
  // The place is in the other file, so the warning has no line of this one.
  const message = `${where} sets ${listText(undoes)} for ${ctx.service.name}; Compose merges it over this file and undoes part of the conversion`;
  return warningsOnly([{ code: 'override-undoes', message, line: null }]);
}
