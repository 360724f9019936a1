import type { Document, Node } from 'yaml';
import type { Change, Warning } from './diagnostics.js';
import type { TextEdit } from './edits.js';
import type { Layout } from '../parse/layout.js';
import { ConvertError } from '../parse/errors.js';
import type { LocatedService } from '../model/locate.js';
import type { StripPolicy } from '../model/select.js';
import type { MountNeeds } from '../knowledge/needs.js';
import type { BlockStyle } from './yaml-edit.js';
import type { ComposeFileReader } from '../model/extends-files.js';

/**
 * Files next to a compose file that change what Compose runs, read for the warnings (never
 * edited). The conversion stays free of I/O: the caller injects this reader, and a file is
 * read only when a transform asks for it, once.
 */
export interface RelatedFiles {
  /**
   * The text of an env file a service names (path as written in the compose file, relative to
   * it); null when it was not found or could not be read; undefined when it cannot be looked up
   * (the path holds a variable).
   */
  envFile(path: string): string | null | undefined;
  /**
   * The override file Compose merges over this file (`compose.override.yml` next to
   * `compose.yml`, or the `docker-compose.*` pair), with its path as shown to the user; null
   * when there is none; undefined when the file is not a base file (nothing to look for).
   */
  override(): { path: string; text: string } | null | undefined;
  /**
   * The compose files that services' `extends: {file}` name (paths as written, relative to this
   * file). Absent: such bases are not known.
   */
  extendsFiles?: ComposeFileReader;
  /**
   * The env files belong to a project conversion (src/project), which removes what it can from
   * them and warns about the rest: the transforms say nothing about them.
   */
  projectEnvFiles?: boolean;
}

/** What a transform may know about one selected service; it never sees files or the terminal. */
export interface ServiceContext {
  service: LocatedService;
  doc: Document;
  layout: Layout;
  style: BlockStyle;
  /** Which environment variables to strip from this service. */
  strip: StripPolicy;
  /** What this service's image needs mounted (`/run`, further tmpfs entries). */
  needs: MountNeeds;
  /**
   * True when editing `node` changes only services that want the same edit (it is not
   * shared, through anchors or merge keys, with an unselected service or another kind), or when
   * the service writes the node itself and each other reader can be given a copy in place of
   * the one alias it reads it through (the planner adds those copies).
   */
  canEdit(node: Node): boolean;
  /** 1-based line of an offset, for messages. */
  lineOf(offset: number): number;
  /**
   * Another service of the file, whether this run converts it, what it needs mounted, the
   * variables it strips (null when it is not converted), and whether its own conversion may
   * edit a node (false when not selected).
   */
  sibling(name: string): { service: LocatedService; selected: boolean; needs: MountNeeds; strip: StripPolicy | null; canEdit(node: Node): boolean } | undefined;
  /**
   * The converted service whose mapping this service merges (`<<`) and that adds `key` there,
   * with the same target, when this service lacks `key` (it gets the key through the merge
   * key, as a cron sidecar merging its main service does); null otherwise.
   */
  receivesThroughMerge(key: string): string | null;
  /** Env files and the override file next to the compose file, when the caller read them. */
  related?: RelatedFiles | undefined;
  /** The file is deployed with `docker stack deploy` (`--swarm`), whatever keys it has. */
  swarm?: boolean | undefined;
}

/** A transform's answer: edits to the text, what they change, and what the user should know. */
export interface TransformResult {
  edits: TextEdit[];
  changes: Change[];
  warnings: Warning[];
}

/** One change of the conversion, as a pure function of a located service. */
export type Transform = (ctx: ServiceContext) => TransformResult;

/**
 * Refuses the file: the service cannot reach its target (read-only, `/run`, variables gone)
 * with any edit that leaves the other services as they are. Never a half-converted service.
 */
export function refuse(ctx: ServiceContext, why: string, line: number | null): never {
  const { column } = line === null ? { column: null } : { column: 1 };
  throw new ConvertError('no-placement', `service ${ctx.service.name}: ${why}; nothing was written`, line, column);
}

/** An empty result, for transforms with nothing to do. */
export const nothing = (): TransformResult => ({ edits: [], changes: [], warnings: [] });
