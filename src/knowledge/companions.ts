/**
 * Typed access to the companion table (src/knowledge/companions.json): what is known about the
 * official and third-party images that live next to LinuxServer ones, each fact with its
 * confidence and source. Written by hand from src/knowledge/sources/companion-images.md;
 * test/knowledge.test.ts checks every record against its row there.
 */
import data from './companions.json' with { type: 'json' };
import type { ImageRef } from './image-ref.js';
import { normalizedName } from './image-ref.js';

/**
 * When a conditional fact applies to a service: it sets the variable `env`, mounts something at
 * `mounts` but nothing at `unlessMounts`, sets `user:` (`user`), or has `stripped` stripped.
 */
export interface FactCondition {
  env?: string;
  mounts?: string;
  unlessMounts?: string;
  user?: boolean;
  stripped?: string;
}

/** One fact about an image: its text (safe to show), how sure it is, where it comes from. */
export interface CompanionFact {
  text: string;
  /** Confidence letters as in the source: D, V, O(n), I, X, combined with `+`. */
  confidence: string;
  source: string;
  when?: FactCondition;
}

/** A tmpfs entry the image needs; added only when documented (D) or verified (V). */
export interface CompanionTmpfs {
  path: string;
  options: readonly string[];
  confidence: string;
  source: string;
}

/** A path the image writes that a volume should hold (named in a warning when not mounted). */
export interface CompanionVolume {
  path: string;
  text: string;
  confidence: string;
  source: string;
}

/**
 * What is known about one companion image.
 *
 * - `name`: a short name for messages (`postgres`).
 * - `row`: the first cell of its row in the source table (provenance, checked by the test).
 * - `references`: normalised names (`docker.io/library/postgres`; `*` is one path component).
 * - `s6`: s6-overlay based (then `/run` needs exec).
 * - `run`: what `/run` needs: `exec`, `plain` (a tmpfs without exec) or `none`.
 * - `tmpfs`, `volumes`, `caveats`, `breaks`: the facts, each with confidence and source.
 */
export interface CompanionImage {
  name: string;
  row: string;
  references: readonly string[];
  s6: boolean;
  run: 'exec' | 'plain' | 'none';
  confidence: string;
  source: string;
  tmpfs: readonly CompanionTmpfs[];
  volumes: readonly CompanionVolume[];
  caveats: readonly CompanionFact[];
  breaks: readonly CompanionFact[];
}

interface CompanionFile {
  provenance: { source: string; note: string };
  confidence: Record<string, string>;
  images: Array<Omit<CompanionImage, 'run' | 'caveats' | 'breaks'> & { run: string; caveats: RawFact[]; breaks: RawFact[] }>;
}
interface RawFact {
  text: string;
  confidence: string;
  source: string;
  when?: { env?: string; mounts?: string; unless_mounts?: string; user?: boolean; stripped?: string };
}

const file: CompanionFile = data;

function fact(raw: RawFact): CompanionFact {
  if (!raw.when) return Object.freeze({ text: raw.text, confidence: raw.confidence, source: raw.source });
  const { env, mounts, unless_mounts: unlessMounts, user, stripped } = raw.when;
  const when: FactCondition = Object.freeze({
    ...(env !== undefined && { env }),
    ...(mounts !== undefined && { mounts }),
    ...(unlessMounts !== undefined && { unlessMounts }),
    ...(user !== undefined && { user }),
    ...(stripped !== undefined && { stripped }),
  });
  return Object.freeze({ text: raw.text, confidence: raw.confidence, source: raw.source, when });
}

const RUN = new Set(['exec', 'plain', 'none']);

function companionRecord(raw: CompanionFile['images'][number]): CompanionImage {
  if (!RUN.has(raw.run)) throw new Error(`companions.json: ${raw.name}: run must be exec, plain or none`);
  return Object.freeze({
    ...raw,
    run: raw.run as CompanionImage['run'],
    references: Object.freeze([...raw.references]),
    tmpfs: Object.freeze(raw.tmpfs.map((t) => Object.freeze({ ...t, options: Object.freeze([...t.options]) }))),
    volumes: Object.freeze(raw.volumes.map((v) => Object.freeze({ ...v }))),
    caveats: Object.freeze(raw.caveats.map(fact)),
    breaks: Object.freeze(raw.breaks.map(fact)),
  });
}

// Records are made when first needed and kept (a LinuxServer service needs none): making all of
// them was most of the time and the young objects of loading this module.
const records: CompanionImage[] = [];
const recordAt = (index: number): CompanionImage => (records[index] ??= companionRecord(file.images[index]!));

/** A reference of the table, numbered in table order (the first that matches a name wins), and its record's index. */
interface Reference {
  order: number;
  index: number;
}
// Most references name one image; in the others `*` stands for one path component
// (`ghcr.io/hotio/*`). Only those become regular expressions: building and first running one
// per reference was a millisecond of every start.
const exactReferences = new Map<string, Reference>();
const patternReferences: (Reference & { re: RegExp })[] = [];
let order = 0;
for (const [index, raw] of file.images.entries()) {
  for (const reference of raw.references) {
    if (reference.includes('*')) patternReferences.push({ order, index, re: new RegExp(`^${reference.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`) });
    else if (!exactReferences.has(reference)) exactReferences.set(reference, { order, index });
    order++;
  }
}

const byName = new Map<string, CompanionImage | undefined>();

/** The companion record of an image reference, or undefined when the table does not know it. */
export function lookupCompanion(ref: ImageRef | null): CompanionImage | undefined {
  const name = ref ? normalizedName(ref) : null;
  if (name === null) return undefined;
  if (!byName.has(name)) {
    const exact = exactReferences.get(name);
    const found = patternReferences.find((p) => (exact === undefined || p.order < exact.order) && p.re.test(name)) ?? exact;
    byName.set(name, found && recordAt(found.index));
  }
  return byName.get(name);
}

let allRecords: readonly CompanionImage[] | undefined;

/** Every companion record, in table order. */
export function listCompanions(): readonly CompanionImage[] {
  allRecords ??= Object.freeze(file.images.map((_, index) => recordAt(index)));
  return allRecords;
}

/** Whether a fact is strong enough to act on (an edit): documented (D) or verified (V). */
export function isActionable(confidence: string): boolean {
  return /^[DV]\b/.test(confidence);
}

const LETTERS: Readonly<Record<string, string>> = file.confidence;

/**
 * The confidence letters in words, for users: `I + O(1)` → `inferred from the image's
 * Dockerfile, not run + observed in 1 public compose file`.
 */
export function confidenceText(confidence: string): string {
  return confidence.replace(/\b([DVOIX])(?:\((\d+)\))?(?=\W|$)/g, (_, letter: string, count: string | undefined) =>
    letter === 'O' && count !== undefined ? `observed in ${count} public compose file${count === '1' ? '' : 's'}` : (LETTERS[letter] ?? letter),
  );
}
