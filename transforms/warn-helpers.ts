import type { Node } from 'yaml';
import type { Warning, WarningCode } from '../src/plan/diagnostics.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';

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
  return (ctx.service.view.mapFields.get(key)?.pair.key as Node | undefined) ?? null;
}

/** The LinuxServer image name of the service (`sonarr`), or null for any other image. */
export function lsioName(ctx: ServiceContext): string | null {
  return ctx.service.imageRef?.lsioName ?? null;
}

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
