import { isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { createLayout } from '../src/parse/layout.js';
import type { RelatedFiles } from '../src/plan/transform.js';
import { environmentEntries, hasExec, tmpfsEntries, tmpfsPath } from '../src/model/service-values.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { effectivePair, effectiveValue, hasVariable, keyName, ownValue, resolveNode } from '../src/parse/yaml-nodes.js';
import { listText, warningsOnly } from './warn-helpers.js';

type Override = NonNullable<ReturnType<RelatedFiles['override']>>;

// One parse per override file, shared by the services of the file being converted.
const parsedOverrides = new WeakMap<Override, Document | null>();

function parseOverride(override: Override): Document | null {
  let doc = parsedOverrides.get(override);
  if (doc === undefined) {
    const parsed = parseDocument(override.text, { prettyErrors: false });
    doc = parsed.errors.length ? null : parsed;
    parsedOverrides.set(override, doc);
  }
  return doc;
}

/**
 * The override file Compose merges over this one (`compose.override.yml`) undoes part of the
 * conversion for this service: the later `read_only` wins, `environment` is merged by key (a
 * stripped variable comes back), and `tmpfs` entries are de-duplicated by their whole string
 * (a `/run` entry without exec is added next to `/run:exec`).
 */
export function warnOverride(ctx: ServiceContext): TransformResult {
  const override = ctx.related?.override();
  if (!override) return warningsOnly([]);
  const doc = parseOverride(override);
  const entry = doc && overrideService(doc, ctx.service.name);
  if (!doc || !entry) return warningsOnly([]);
  const { map, key } = entry;
  const undoes: string[] = [];
  const readOnly = effectivePair(map, 'read_only', doc);
  const value = resolveNode(readOnly?.pair.value, doc);
  if (readOnly && isScalar(value) && value.value !== null && String(value.value).toLowerCase() !== 'true' && !hasVariable(value)) {
    undoes.push(`read_only: ${value.source ?? String(value.value)}`);
  }
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

function overrideService(doc: Document, name: string): { map: YAMLMap; key: Node } | null {
  const root = doc.contents;
  if (!isMap(root)) return null;
  const services = ownValue(root, 'services', doc);
  if (!isMap(services)) return null;
  const pair = services.items.find((p) => keyName(p) === name);
  const map = resolveNode(pair?.value, doc);
  return pair && isMap(map) ? { map, key: pair.key as Node } : null;
}
