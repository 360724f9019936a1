import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { mappedValue, mountPath } from './effective-service.js';
import type { EffectiveService } from './effective-service.js';
import { shortVolume, tmpfsEntries, tmpfsPath } from './service-values.js';
import { ownValue, resolveNode, stringValue } from '../parse/yaml-nodes.js';
import { isReset } from '../parse/compose-tags.js';

/** One thing mounted into a service's container. */
export interface Mount {
  /** Container path, normalised like tmpfs paths (no trailing slash). */
  target: string;
  /**
   * `bind`: a host path (`./config:/config`, `{type: bind}`); `volume`: a named or anonymous
   * volume; `tmpfs`: a `tmpfs:` entry or a tmpfs volume; `config`: a config or secret file.
   */
  kind: 'bind' | 'volume' | 'tmpfs' | 'config';
  /**
   * The host path of a bind mount or the name of a named volume, as written (`./config/sonarr`,
   * `sonarr-config`); null for an anonymous volume, a tmpfs or a config.
   */
  source: string | null;
  readOnly: boolean;
  /** Where the mount is written, for positions. */
  node: Node;
}

/**
 * Everything a service's own mapping (after merge keys) mounts, in source order: `volumes` in
 * short (`SRC:TARGET[:MODE]`, `TARGET`) and long syntax, `configs` and `secrets` in long syntax,
 * then `tmpfs` entries. `key` is the service's name, the position of tmpfs entries without a node.
 */
export function mountsOf(view: EffectiveService, key: Node, doc: Document): Mount[] {
  // A `!reset` key mounts nothing (Compose v2 drops it).
  const value = (name: string) => {
    const node = mappedValue(view, name);
    return isReset(node, doc) ? null : node;
  };
  const list = (name: string) => {
    const items = value(name);
    return isSeq(items) ? items.items.filter((item) => !isReset(item, doc)).map((item) => resolveNode(item, doc)) : [];
  };
  const field = (entry: YAMLMap, name: string) => stringValue(ownValue(entry, name, doc));
  const mounts: Mount[] = [];
  for (const volume of list('volumes')) {
    const text = stringValue(volume);
    if (text !== null && volume) {
      const short = shortVolume(text);
      if (!short) continue;
      // Compose reads the options in order: a later `rw` undoes an earlier `ro`.
      const readOnly = short.options.lastIndexOf('ro') > short.options.lastIndexOf('rw');
      mounts.push({ target: tmpfsPath(short.target), kind: short.bind ? 'bind' : 'volume', source: short.source, readOnly, node: volume });
    } else if (isMap(volume)) {
      const target = field(volume, 'target');
      if (!target) continue;
      const type = field(volume, 'type');
      const kind = type === 'bind' ? 'bind' : type === 'tmpfs' ? 'tmpfs' : 'volume';
      const readOnly = resolveNode(ownValue(volume, 'read_only', doc), doc);
      mounts.push({ target: tmpfsPath(target), kind, source: kind === 'tmpfs' ? null : field(volume, 'source'), readOnly: isScalar(readOnly) && readOnly.value === true, node: volume });
    }
  }
  for (const config of [...list('configs'), ...list('secrets')]) {
    const target = isMap(config) ? field(config, 'target') : null;
    if (target && config) mounts.push({ target: tmpfsPath(target), kind: 'config', source: null, readOnly: true, node: config });
  }
  const tmpfs = value('tmpfs');
  for (const entry of tmpfsEntries(tmpfs, doc)) mounts.push({ target: tmpfsPath(entry), kind: 'tmpfs', source: null, readOnly: false, node: tmpfs ?? key });
  return mounts;
}

/** Whether something is mounted at `path` or above it (a mount at `/data` covers `/data/x`). */
export function isMounted(mounts: readonly Mount[], path: string): boolean {
  const at = mountPath(path);
  return mounts.some(({ target }) => {
    const mounted = mountPath(target);
    return mounted === at || at.startsWith(mounted === '/' ? '/' : `${mounted}/`);
  });
}
