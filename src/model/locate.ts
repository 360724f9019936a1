import { isMap, isScalar } from 'yaml';
import type { Document, Scalar, YAMLMap } from 'yaml';
import { ConvertError } from '../parse/errors.js';
import { lookupImage } from '../knowledge/index.js';
import { lookupCompanion } from '../knowledge/companions.js';
import type { CompanionImage } from '../knowledge/companions.js';
import type { ImageKnowledge } from '../knowledge/index.js';
import { parseImageRef } from '../knowledge/image-ref.js';
import type { ImageRef } from '../knowledge/image-ref.js';
import { mountNeeds } from '../knowledge/needs.js';
import type { MountNeeds } from '../knowledge/needs.js';
import { parseCompose } from '../parse/parse.js';
import type { ParsedCompose } from '../parse/parse.js';
import { effectiveKeys, resolveNode } from '../parse/yaml-nodes.js';
import { isReset } from '../parse/compose-tags.js';
import { effectiveServices } from './effective-service.js';
import type { EffectiveService } from './effective-service.js';
import { servicesOfFiles } from './extends-files.js';
import type { ComposeFileReader } from './extends-files.js';
import { mountsOf } from './mounts.js';
import type { Mount } from './mounts.js';

/** One service of a compose file, located in the parsed document. */
export interface LocatedService {
  name: string;
  /** The service's name in the source (its position is the service's position). */
  key: Scalar;
  /** The service's mapping; shared with other services when reached through an alias. */
  map: YAMLMap;
  /** The service as Compose builds it (merge keys, aliases, extends). */
  view: EffectiveService;
  /** The effective `image:` value (own, merged or extended), or null. */
  image: string | null;
  imageRef: ImageRef | null;
  /** LinuxServer's facts for the image; undefined for other images and unknown ones. */
  knowledge: ImageKnowledge | undefined;
  /** The companion table's record for any other image; undefined for LinuxServer images and unknown ones. */
  companion: CompanionImage | undefined;
  /** What the image needs mounted under a read-only root. */
  needs: MountNeeds;
  /** Everything the service's own mapping mounts (see mountsOf), read when first asked for. */
  mounts: readonly Mount[] | null;
}

/**
 * Every service of the file, in source order (services merged in with `<<:` under `services`
 * after the file's own). Keys under `x-*` are extension fields, not services, and are skipped.
 * `extendsFiles` gives the files `extends: {file}` names (without it, those bases are unknown).
 * @throws ConvertError when a service is not a mapping
 */
export function locateServices(parsed: ParsedCompose, extendsFiles?: ComposeFileReader): LocatedService[] {
  const { doc, services, layout } = parsed;
  const located: LocatedService[] = [];
  const serviceKeys = effectiveKeys(services, doc);
  const views = effectiveServices(serviceKeys, doc, { foreign: servicesOfFiles(extendsFiles, otherFileViews) });
  for (const [name, { pair }] of serviceKeys) {
    // `x-*` keys are extension fields; `name: !reset` is no service in Compose v2.
    if (name.startsWith('x-') || isReset(pair.value, doc)) continue;
    const key = pair.key as Scalar;
    const map = resolveNode(pair.value, doc);
    const view = views.get(name);
    if (!isMap(map) || !view) {
      const { line, column } = layout.position(key.range?.[0] ?? 0);
      const what = map === null || (isScalar(map) && map.value === null) ? 'empty (null)' : 'not a mapping';
      throw new ConvertError('service-not-mapping', `service ${name} is ${what}`, line, column);
    }
    const image = view.image;
    const { imageRef, knowledge, companion, needs } = image === null ? NO_IMAGE : imageFacts(image);
    located.push({ name, key, map, view, image, imageRef, knowledge, companion, needs, mounts: null });
  }
  return located;
}

/** The services of another compose file as effective views; null for a file that is no compose file ro-convert reads. */
function otherFileViews(text: string, file: string, nested: (file: string, service: string) => EffectiveService | null): Map<string, EffectiveService> | null {
  let parsed: ParsedCompose;
  try {
    parsed = parseCompose(text);
  } catch {
    return null;
  }
  return effectiveServices(effectiveKeys(parsed.services, parsed.doc), parsed.doc, { file, foreign: nested });
}

/** What an `image:` value tells: its parts, LinuxServer's or the companion table's record, its needs. */
export type ImageFacts = Pick<LocatedService, 'imageRef' | 'knowledge' | 'companion' | 'needs'>;

const NO_IMAGE: ImageFacts = { imageRef: null, knowledge: undefined, companion: undefined, needs: mountNeeds(null, undefined, undefined) };

/**
 * Facts by image value, made once: a fleet repeats a few images across its services and files
 * (parsing the reference and looking it up was a tenth of the planning). Bounded for a long-lived
 * API caller; the facts are shared and never changed.
 */
const factsByImage = new Map<string, ImageFacts>();
const MAX_IMAGES_KEPT = 4096;

export function imageFacts(image: string): ImageFacts {
  let facts = factsByImage.get(image);
  if (!facts) {
    if (factsByImage.size >= MAX_IMAGES_KEPT) factsByImage.clear();
    const imageRef = parseImageRef(image);
    const knowledge = imageRef.lsioName ? lookupImage(imageRef.lsioName) : undefined;
    const companion = imageRef.lsioName ? undefined : lookupCompanion(imageRef);
    facts = { imageRef, knowledge, companion, needs: mountNeeds(imageRef, knowledge, companion) };
    factsByImage.set(image, facts);
  }
  return facts;
}

/** What `service` mounts (see mountsOf), read once. */
export function serviceMounts(service: LocatedService, doc: Document): readonly Mount[] {
  return (service.mounts ??= mountsOf(service.view, service.key, doc));
}
