import { unifiedDiff } from './report/diff.js';
import { applyReplacements, changesText, EditConflictError, resolveEdits } from './plan/edits.js';
import type { Replacement } from './plan/edits.js';
import { asConvertError, ConvertError, internalError } from './parse/errors.js';
import { parseCompose } from './parse/parse.js';
import { planConversion } from './plan/plan.js';
import type { PlanOptions } from './plan/plan.js';
import type { ServiceReport, Warning } from './plan/diagnostics.js';
import { verifyConversion } from './verify/verify.js';
import { skippedAsUntested } from './model/select.js';
import { withVariables } from './model/interpolation.js';

export type { ServiceReport } from './plan/diagnostics.js';

/** Options of {@link convert}: which services, how to adjust the variables to strip. */
export interface ConvertOptions extends PlanOptions {
  /** Path shown in the diff's `--- a/…` and `+++ b/…` headers (default `compose.yml`). */
  path?: string;
  /** Re-parse and check the output before returning it (default true). */
  verify?: boolean;
}

/** The result of converting one compose text. */
export interface ConvertResult {
  /** The converted text; equal to the input when nothing changed (made when first read). */
  readonly output: string;
  changed: boolean;
  /** The selected services, in file order. */
  services: ServiceReport[];
  /** Every service name in the file (for "unknown service" messages). */
  serviceNames: string[];
  /** LinuxServer services `supported` left out because LinuxServer has not tested them read-only. */
  skippedUntested: string[];
  /** The regions of the input that the output replaces, in source order (empty when unchanged). */
  replacements: readonly Replacement[];
  /** The unified diff (`git apply` format), computed on first read. */
  readonly diff: string;
}

/**
 * Converts the selected services of one compose text to read-only operation. Pure: no
 * files, no terminal. Edits are surgical (every byte outside them is kept) and the result
 * is re-parsed and checked before it is returned.
 * @throws ConvertError for input it refuses (with line and column), or an `internal`
 *   ConvertError when its own output fails the checks (a bug; no output is given).
 */
export function convert(text: string, options: ConvertOptions): ConvertResult {
  try {
    return withVariables(options.variables, () => convertText(text, options));
  } catch (error) {
    // Refusals as they are; anything else is a bug, still a ConvertError for the caller.
    throw asConvertError(error);
  }
}

function convertText(text: string, options: ConvertOptions): ConvertResult {
  const parsed = parseCompose(text);
  const plan = planConversion(parsed, options);
  let replacements: Replacement[];
  try {
    replacements = resolveEdits(plan.edits);
  } catch (error) {
    if (error instanceof EditConflictError) throw internalError(error.message);
    throw error;
  }
  // The output is built when first read: `--check --quiet` never reads it.
  const changed = changesText(text, replacements);
  let output: string | null = changed ? null : text;
  const outputText = () => (output ??= applyReplacements(text, replacements));
  if (changed && options.verify !== false) verifyConversion(text, plan, outputText());
  let diff: string | null = null;
  const path = options.path ?? 'compose.yml';
  return {
    get output() {
      return outputText();
    },
    changed,
    replacements: changed ? replacements : [],
    services: plan.selected.map((s) => ({ ...s.report, warnings: inLineOrder(s.report.warnings) })),
    serviceNames: plan.services.map((s) => s.name),
    skippedUntested: plan.services.filter((s) => skippedAsUntested(s, options)).map((s) => s.name),
    get diff() {
      diff ??= unifiedDiff(path, text, outputText(), replacements);
      return diff;
    },
  };
}

/** A service's warnings in the order of the lines they are about; those about no line (another file) last. */
function inLineOrder(warnings: readonly Warning[]): Warning[] {
  // Array.prototype.sort is stable: warnings about one line keep the order the transforms gave them.
  return [...warnings].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/**
 * `--strict`: the refusal of a conversion that has warnings, or null when it has none. The
 * warnings are counted, not pointed at: under --quiet (and in --json) none is printed above it.
 */
export function strictRefusal(result: Pick<ConvertResult, 'services'>): ConvertError | null {
  const warnings = result.services.reduce((sum, s) => sum + s.warnings.length, 0);
  return warnings === 0 ? null : new ConvertError('strict-warnings', `--strict: refused because of ${warnings} warning${warnings === 1 ? '' : 's'}; nothing written`);
}
