/**
 * Issue 11 gives a selected service that reads a shared block the variables it keeps as its
 * own: a new `environment` holding entries copied from the block, or, where its own environment
 * mapping merges the block, those entries in place of the `<<:` line. The line oracle of
 * test/gen/check.ts (shared with `npm run fuzz`, and extended on another branch) does not know
 * that placement yet. This runs its checks and drops only its complaints about such lines (a
 * removed merge-key line, or an added line that is an entry written in the input) and about the
 * order of the kept variables (an entry written after the merge key that overrides a merged one
 * keeps its own place, where js-yaml lists it at the merged one's; Compose's environment is a
 * map), and only when a service of the run reports `env-overridden`. Every other problem stays.
 */
import { checkCase } from '../gen/check.js';
import { STRIPPED } from '../gen/compose.js';
import type { GenDoc, GenSelection } from '../gen/compose.js';

/** The checker's view of ro-convert, with the changes of each service too. */
export type ConvertWithChanges = (
  text: string,
  options: GenSelection,
) => { output: string; changed: boolean; services: { name: string; changes: { code: string }[]; warnings: { code: string; message: string }[] }[] };

const isStripped = (name: string) => STRIPPED.includes(name) || name.startsWith('DOCKER_MODS_');
const MERGE_KEY_LINE = /^\s*<<:\s*(\*[^\s#,]+|\[[^\]#]*\])\s*(#.*)?$/;

export function checkCaseWithOwnEnvironment(convert: ConvertWithChanges, doc: GenDoc, selection: GenSelection): string[] {
  const problems = checkCase(convert, doc, selection);
  if (problems.length === 0) return problems;
  let overridden: boolean;
  try {
    overridden = convert(doc.text, selection).services.some((s) => s.changes.some((c) => c.code === 'env-overridden'));
  } catch {
    return problems;
  }
  if (!overridden) return problems;
  return problems.filter((problem) => !isOwnEnvironmentPlacement(problem, doc.text));
}

function isOwnEnvironmentPlacement(problem: string, input: string): boolean {
  const reordered = /^service \S+: environment changed beyond stripping: (\[.*\]) -> (\[.*\])$/.exec(problem);
  if (reordered) {
    const kept = (pairs: string) => JSON.stringify((JSON.parse(pairs) as [string, unknown][]).filter(([name]) => !isStripped(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return kept(reordered[1]!) === kept(reordered[2]!);
  }
  const flagged = /^unintended (removed|added) line: (".*")$/.exec(problem);
  if (!flagged) return false;
  const line = JSON.parse(flagged[2]!) as string;
  if (flagged[1] === 'removed') return MERGE_KEY_LINE.test(line);
  // A copied entry, with the comment of the merge-key line it replaced, if any.
  const entry = line.trim().replace(/^- /, '').replace(/\s+#.*$/, '');
  return entry.length > 0 && input.includes(entry);
}
