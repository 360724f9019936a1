import type { LocatedService } from '../../src/model/locate.js';
import { confidenceText } from '../../src/knowledge/companions.js';
import type { ServiceInfo } from './protocol.js';

/** A service of the file, with what ro-convert's tables say about its image, for the list of check boxes. */
export function serviceInfo(service: LocatedService, line: number): ServiceInfo {
  return { name: service.name, line, image: service.image, knowledge: knowledgeText(service), supported: Boolean(service.knowledge?.readonlySupported) };
}

function knowledgeText({ image, imageRef, knowledge, companion }: LocatedService): string {
  if (image === null) return 'no image';
  if (knowledge) {
    const support = knowledge.readonlySupported ? 'LinuxServer: read-only supported' : 'LinuxServer: not tested read-only';
    const caveats = knowledge.caveats.map((caveat) => `; caveat: ${caveat}`).join('');
    return `${support}${caveats}${knowledge.deprecated ? '; deprecated' : ''}`;
  }
  if (imageRef?.lsioName) return "LinuxServer image not in ro-convert's table";
  if (companion) {
    const tmpfs = companion.tmpfs.map((t) => t.path);
    const needs = [companion.run === 'none' ? 'nothing at /run' : `/run${companion.run === 'exec' ? ':exec' : ''}`, ...tmpfs].join(', ');
    return `companion table (${companion.name}): tmpfs ${needs}; ${confidenceText(companion.confidence)}`;
  }
  return "in neither of ro-convert's tables (unknown)";
}
