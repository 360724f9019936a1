import { isMap, isScalar } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { effectiveKeys, keyName, ownValue, resolveNode } from '../src/parse/yaml-nodes.js';
import { listText, warningAt, warningsOnly } from './warn-helpers.js';

// One look per document, shared by its services.
const signalsOf = new WeakMap<Document, string | null>();

/**
 * The first swarm-only key of a file, described with its line (`deploy.mode: global on line 7`),
 * or null: `deploy.mode: global`, `deploy.placement`, `deploy.replicas` on a service without
 * `container_name` (swarm names containers itself), or an external top-level secret or config.
 */
function swarmSignal(ctx: ServiceContext): string | null {
  const { doc } = ctx;
  if (signalsOf.has(doc)) return signalsOf.get(doc)!;
  const at = (what: string, node: Node | null | undefined) => `${what} on line ${ctx.lineOf((node?.range ?? [0])[0])}`;
  let signal: string | null = null;
  const root = doc.contents;
  const services = isMap(root) ? resolveNode(ownValue(root, 'services', doc), doc) : null;
  for (const pair of isMap(services) ? services.items : []) {
    const service = resolveNode(pair.value, doc);
    if (!isMap(service) || keyName(pair)?.startsWith('x-')) continue;
    // The service's fields after merge keys, from its effective view (a complex key has none).
    const name = keyName(pair);
    const view = name === null ? undefined : ctx.sibling(name)?.service.view;
    const fields: ReadonlyMap<string, { pair: Pair }> = view?.map === service ? view.mapFields : effectiveKeys(service, doc);
    const deploy = resolveNode(fields.get('deploy')?.pair.value, doc);
    if (!isMap(deploy)) continue;
    const field = (name: string) => deploy.items.find((p) => keyName(p) === name);
    const mode = field('mode');
    const modeValue = resolveNode(mode?.value, doc);
    if (mode && isScalar(modeValue) && modeValue.value === 'global') signal = at('deploy.mode: global', mode.key as Node);
    else if (field('placement')) signal = at('deploy.placement', field('placement')!.key as Node);
    else if (field('replicas') && !resolveNode(fields.get('container_name')?.pair.value, doc)) signal = at('deploy.replicas without container_name', field('replicas')!.key as Node);
    if (signal) break;
  }
  for (const top of signal ? [] : ['secrets', 'configs']) {
    const block = isMap(root) ? resolveNode(ownValue(root, top, doc), doc) : null;
    for (const pair of isMap(block) ? block.items : []) {
      const entry = resolveNode(pair.value, doc);
      const external = isMap(entry) ? resolveNode(ownValue(entry, 'external', doc), doc) : null;
      if (isScalar(external) && external.value === true) {
        signal = at(`external ${top.slice(0, -1)} ${keyName(pair)}`, pair.key as Node);
        break;
      }
    }
    if (signal) break;
  }
  signalsOf.set(doc, signal);
  return signal;
}

/**
 * A file meant for `docker stack deploy` (`--swarm`, or swarm-only keys in it): swarm ignores
 * service-level `tmpfs` and cannot mount a tmpfs with exec (moby issue 32131), so an image that
 * needs `/run:exec` cannot run read-only there; one that needs plain tmpfs entries gets them only
 * as `type: tmpfs` volumes.
 */
export function warnSwarm(ctx: ServiceContext): TransformResult {
  const signal = ctx.swarm ? null : swarmSignal(ctx);
  if (!ctx.swarm && !signal) return warningsOnly([]);
  const why = ctx.swarm ? '--swarm' : `swarm-only keys in the file (${signal})`;
  const { needs } = ctx;
  if (needs.run === 'exec') {
    return warningsOnly([
      warningAt(
        ctx,
        'swarm',
        `${why}: docker stack deploy ignores service-level tmpfs and cannot mount a tmpfs with exec (moby issue 32131), so this ${needs.known === 'linuxserver' ? 'LinuxServer' : 's6-based (or unknown)'} image cannot run read-only there`,
        null,
      ),
    ]);
  }
  const paths = [...(needs.run === 'plain' ? ['/run'] : []), ...needs.tmpfs.map((t) => t.path)];
  if (paths.length === 0) return warningsOnly([]);
  return warningsOnly([
    warningAt(
      ctx,
      'swarm',
      `${why}: docker stack deploy ignores service-level tmpfs; mount ${listText(paths)} as \`volumes: [{type: tmpfs, target: …}]\` there (only a size option survives)`,
      null,
    ),
  ]);
}
