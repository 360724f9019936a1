import { describe, expect, it } from 'vitest';
import { isMap, isSeq } from 'yaml';
import { parseCompose } from '../src/parse/parse.js';
import { effectiveKeys } from '../src/parse/yaml-nodes.js';
import { effectiveServices, volumeMount } from '../src/model/effective-service.js';

/** Each `volumes` entry of service `s` as the plain value a YAML loader gives reads it. */
function fromPlainValues(text: string): unknown[] {
  const { doc, services } = parseCompose(text);
  const volumes = (services.get('s') as { get(key: string): unknown }).get('volumes');
  if (!isSeq(volumes)) throw new Error('no volumes');
  return volumes.items.map((item) => volumeMount(isMap(item) ? item.toJS(doc, { maxAliasCount: -1 }) : (item as { value: unknown }).value));
}

describe('effective view: long-syntax volumes', () => {
  for (const [what, text] of [
    ['plain keys, quoted keys, aliases', 'x-t: &t /data\nservices:\n  s:\n    image: a\n    volumes:\n      - {type: bind, source: ./a, target: /a}\n      - {"type": tmpfs, \'target\': /run}\n      - {type: volume, target: *t}\n      - ./b:/b\n'],
    ['a target that is not a string', 'services:\n  s:\n    image: a\n    volumes:\n      - {type: bind, target: 12}\n      - {type: bind, target: [a]}\n      - {type: bind, target: ~}\n      - {type: 3, target: /c}\n'],
    ['a merge key (a plain key in YAML 1.2)', 'x-v: &v {target: /m, type: tmpfs}\nservices:\n  s:\n    image: a\n    volumes:\n      - {<<: *v, source: x}\n      - {<<: *v, target: /n}\n'],
    ['a merge key under %YAML 1.1', '%YAML 1.1\n---\nx-v: &v {target: /m, type: tmpfs}\nservices:\n  s:\n    image: a\n    volumes:\n      - {<<: *v, source: x}\n      - {<<: *v, target: /n}\n'],
    ['a timestamp under %YAML 1.1', '%YAML 1.1\n---\nservices:\n  s:\n    image: a\n    volumes:\n      - {type: bind, target: 2001-12-14}\n'],
  ] as const) {
    it(`reads each entry's path and kind as its plain value has them: ${what}`, () => {
      const parsed = parseCompose(text);
      const view = effectiveServices(effectiveKeys(parsed.services, parsed.doc), parsed.doc).get('s')!;
      const expected = fromPlainValues(text).filter((m) => m !== null);
      expect(view.volumeMounts.map((v) => ({ path: v.path, kind: v.kind }))).toEqual(expected);
    });
  }
});
