import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { Warning, WarningCode } from '../src/plan/diagnostics.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { tmpfsEntries, tmpfsPath } from '../src/model/service-values.js';
import { effectivePair, effectiveValue, ownValue, resolveNode, stringValue } from '../src/parse/yaml-nodes.js';

/** Shared bits of the warning transforms (`warn-*.ts`): they return warnings, never edits. */

/** A transform result that carries only warnings. */
export function warningsOnly(warnings: Warning[]): TransformResult {
  return { edits: [], changes: [], warnings };
}

/** A warning about one place of the input (`node`), or about the whole service (`null`). */
export function warningAt(ctx: ServiceContext, code: WarningCode, message: string, node: Node | null): Warning {
  return { code, message, line: ctx.lineOf((node ?? ctx.service.key).range![0]) };
}

/** The key node of `key` as the service has it (own or merged in), or null. */
export function keyNode(ctx: ServiceContext, key: string): Node | null {
  return (effectivePair(ctx.service.map, key, ctx.doc)?.pair.key as Node | undefined) ?? null;
}

/** The LinuxServer image name of the service (`sonarr`), or null for any other image. */
export function lsioName(ctx: ServiceContext): string | null {
  return ctx.service.imageRef?.lsioName ?? null;
}

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One thing mounted into a service's container. */
export interface Mount {
  /** Container path, normalised like tmpfs paths (no trailing slash). */
  target: string;
  /**
   * `bind`: a host path (`./config:/config`, `{type: bind}`); `volume`: a named or anonymous
   * volume; `tmpfs`: a `tmpfs:` entry or a tmpfs volume; `config`: a config or secret file.
   */
  kind: 'bind' | 'volume' | 'tmpfs' | 'config';
  /** The host path of a bind mount as written (`./config/sonarr`), else null. */
  hostPath: string | null;
  readOnly: boolean;
  /** Where the mount is written, for positions. */
  node: Node;
}

// A named volume's name (Compose's rule); any other short-syntax source is a host path.
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * Everything the service mounts, in source order: `volumes` in short (`SRC:TARGET[:MODE]`,
 * `TARGET`) and long syntax, `configs` and `secrets` in long syntax, then `tmpfs` entries.
 */
export function mountsOf(ctx: ServiceContext): Mount[] {
  const list = (key: string) => {
    const value = effectiveValue(ctx.service.map, key, ctx.doc);
    return isSeq(value) ? value.items.map((item) => resolveNode(item, ctx.doc)) : [];
  };
  const field = (entry: YAMLMap, name: string) => stringValue(ownValue(entry, name, ctx.doc));
  const mounts: Mount[] = [];
  for (const volume of list('volumes')) {
    const text = stringValue(volume);
    if (text && volume) {
      const parts = text.split(':');
      // `C:\dir:/target` (a Windows drive) has one more part; the target is the one with a `/` first.
      const at = parts.length === 1 ? 0 : Math.max(1, parts.findIndex((p, i) => i > 0 && p.startsWith('/')));
      const source = parts.slice(0, at).join(':');
      const bind = source !== '' && !VOLUME_NAME.test(source);
      const mode = parts.slice(at + 1).join(':').split(',');
      mounts.push({ target: tmpfsPath(parts[at]!), kind: bind ? 'bind' : 'volume', hostPath: bind ? source : null, readOnly: mode.includes('ro'), node: volume });
    } else if (isMap(volume)) {
      const target = field(volume, 'target');
      if (!target) continue;
      const type = field(volume, 'type');
      const kind = type === 'bind' ? 'bind' : type === 'tmpfs' ? 'tmpfs' : 'volume';
      const readOnly = resolveNode(ownValue(volume, 'read_only', ctx.doc), ctx.doc);
      mounts.push({ target: tmpfsPath(target), kind, hostPath: kind === 'bind' ? field(volume, 'source') : null, readOnly: isScalar(readOnly) && readOnly.value === true, node: volume });
    }
  }
  for (const config of [...list('configs'), ...list('secrets')]) {
    const target = isMap(config) ? field(config, 'target') : null;
    if (target && config) mounts.push({ target: tmpfsPath(target), kind: 'config', hostPath: null, readOnly: true, node: config });
  }
  const tmpfs = effectiveValue(ctx.service.map, 'tmpfs', ctx.doc);
  for (const entry of tmpfsEntries(ctx.service.map, ctx.doc)) mounts.push({ target: tmpfsPath(entry), kind: 'tmpfs', hostPath: null, readOnly: false, node: tmpfs ?? ctx.service.key });
  return mounts;
}

/** Whether something is mounted at `path` or above it (a mount at `/data` covers `/data/x`). */
export function isMounted(mounts: readonly Mount[], path: string): boolean {
  return mounts.some((m) => m.target === path || path.startsWith(m.target === '/' ? '/' : `${m.target}/`));
}
