import type { ImageKnowledge } from './index.js';
import type { ImageRef } from './image-ref.js';
import { confidenceText, isActionable } from './companions.js';
import type { CompanionImage, CompanionTmpfs } from './companions.js';

/** One tmpfs entry an image needs besides `/run`, and where that fact comes from. */
export interface TmpfsNeed {
  /** Container path, e.g. `/tmp` or `/var/run/postgresql`. */
  path: string;
  /** tmpfs options without `exec` (e.g. `uid=70`, `gid=70`); empty for none. */
  options: readonly string[];
  /**
   * Where the fact comes from: a LinuxServer knowledge record's `source`, or for a companion image
   * its confidence in words and its source (`documented by the image: docker-library/postgres …`).
   */
  source: string;
}

/**
 * What a read-only root needs mounted for one image. This is the one place the planner asks
 * about images: the transforms turn it into edits, the verifier checks the result against it.
 */
export interface MountNeeds {
  /**
   * `/run`: `exec` for s6-overlay images (its supervisor runs scripts there; Docker mounts tmpfs
   * noexec), `plain` for a tmpfs without exec, `none` when the image needs nothing at `/run`.
   */
  run: 'exec' | 'plain' | 'none';
  /** Further tmpfs entries the image needs (documented or verified: the conversion adds them). */
  tmpfs: readonly TmpfsNeed[];
  /**
   * How the image is known: LinuxServer's table, the companion table (official and third-party
   * images, src/knowledge/companions.json), or not at all (then `/run:exec`: it may be s6).
   */
  known: 'linuxserver' | 'companion' | 'unknown';
  /**
   * tmpfs entries the image may need on weaker evidence (observed in public files, inferred from
   * its Dockerfile): named in a warning, never added.
   */
  suggested: readonly TmpfsNeed[];
}

const UNKNOWN: MountNeeds = Object.freeze({ run: 'exec', tmpfs: Object.freeze([]), known: 'unknown', suggested: Object.freeze([]) });

/**
 * The mounts a service's image needs under a read-only root: LinuxServer images `/run:exec` (and
 * `/tmp` where the readme says so); companion images what the table says (`/run` with exec only
 * for s6 images such as hotio's and Home Assistant's); any other image `/run:exec`, since it may
 * be s6-based.
 */
export function mountNeeds(imageRef: ImageRef | null, knowledge: ImageKnowledge | undefined, companion: CompanionImage | undefined): MountNeeds {
  if (imageRef?.lsioName) {
    const tmpfs = knowledge?.needsTmpTmpfs ? [{ path: '/tmp', options: [], source: knowledge.source }] : [];
    return { run: 'exec', tmpfs, known: 'linuxserver', suggested: [] };
  }
  if (!companion) return UNKNOWN;
  // Made once per image value by the caller (locate.ts keeps the facts of each image).
  const need = (t: CompanionTmpfs): TmpfsNeed => ({ path: t.path, options: t.options, source: `${confidenceText(t.confidence)}: ${t.source}` });
  return {
    run: companion.run,
    tmpfs: companion.tmpfs.filter((t) => isActionable(t.confidence)).map(need),
    known: 'companion',
    suggested: companion.tmpfs.filter((t) => !isActionable(t.confidence)).map(need),
  };
}
