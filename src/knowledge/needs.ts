import type { ImageKnowledge } from './index.js';
import type { ImageRef } from './image-ref.js';

/** One tmpfs entry an image needs besides `/run`, and where that fact comes from. */
export interface TmpfsNeed {
  /** Container path, e.g. `/tmp` or `/var/run/postgresql`. */
  path: string;
  /** tmpfs options without `exec` (e.g. `uid=70`, `gid=70`); empty for none. */
  options: readonly string[];
  /** Where the fact comes from (a knowledge record's `source`). */
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
  /** Further tmpfs entries the image needs. */
  tmpfs: readonly TmpfsNeed[];
  /** How the image is known: LinuxServer's table, or not at all (then `/run:exec`: it may be s6). */
  known: 'linuxserver' | 'unknown';
}

/** The mounts a service's image needs under a read-only root. */
export function mountNeeds(imageRef: ImageRef | null, knowledge: ImageKnowledge | undefined): MountNeeds {
  if (imageRef?.lsioName) {
    const tmpfs = knowledge?.needsTmpTmpfs ? [{ path: '/tmp', options: [], source: knowledge.source }] : [];
    return { run: 'exec', tmpfs, known: 'linuxserver' };
  }
  return { run: 'exec', tmpfs: [], known: 'unknown' };
}
