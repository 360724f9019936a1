import { describe, expect, it } from 'vitest';
import { isMap, isSeq } from 'yaml';
import { parseCompose } from '../src/parse/parse.js';
import { effectiveKeys } from '../src/parse/yaml-nodes.js';
import { effectiveServices, volumeMount } from '../src/model/effective-service.js';
import { locateServices, serviceMounts } from '../src/model/locate.js';
import { shortVolume } from '../src/model/service-values.js';

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

describe('short-syntax volumes, split as Compose splits them (compose-go ParseVolume)', () => {
  for (const [spec, expected] of [
    ['/data', { source: null, target: '/data', options: [], bind: false }],
    ['cache:/cache', { source: 'cache', target: '/cache', options: [], bind: false }],
    ['./config:/config:ro', { source: './config', target: '/config', options: ['ro'], bind: true }],
    ['~/media:/media:rw,z', { source: '~/media', target: '/media', options: ['rw', 'z'], bind: true }],
    ['${DATA:-/srv}:/data', { source: '${DATA:-/srv}', target: '/data', options: [], bind: true }],
    ['C:\\docker\\run:/run', { source: 'C:\\docker\\run', target: '/run', options: [], bind: true }],
    ['d:/media:/media:ro', { source: 'd:/media', target: '/media', options: ['ro'], bind: true }],
    ['\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine', { source: '\\\\.\\pipe\\docker_engine', target: '\\\\.\\pipe\\docker_engine', options: [], bind: true }],
    ['/src:C:\\target', { source: '/src', target: 'C:\\target', options: [], bind: true }],
    ['config/sonarr:/config', { source: 'config/sonarr', target: '/config', options: [], bind: false }],
    ['${CONFIG:-./config}:/config:${MODE:-ro}', { source: '${CONFIG:-./config}', target: '/config', options: ['${MODE:-ro}'], bind: true }],
    ['a::/b', { source: 'a:', target: '/b', options: [], bind: true }],
    ['ab::/b', null],
    [':/b', null],
    ['/a:/b:ro:extra', null],
  ] as const) {
    it(`${JSON.stringify(spec)}`, () => expect(shortVolume(spec)).toEqual(expected));
  }

  it('gives the planner and the warnings one reading of every entry', () => {
    const text = 'services:\n  s:\n    image: a\n    volumes:\n      - C:\\run:/run\n      - ./a:/a:ro,rw\n      - config/b:/b\n      - /c\n      - ab::/bad\n';
    const parsed = parseCompose(text);
    const [service] = locateServices(parsed);
    const mounts = serviceMounts(service!, parsed.doc);
    expect(service!.view.volumeMounts.map((v) => [v.path, v.kind])).toEqual([['/run', 'bind'], ['/a', 'bind'], ['/b', 'volume'], ['/c', 'volume']]);
    expect(mounts.map((m) => [m.target, m.kind, m.source, m.readOnly])).toEqual([['/run', 'bind', 'C:\\run', false], ['/a', 'bind', './a', false], ['/b', 'volume', 'config/b', false], ['/c', 'volume', null, false]]);
  });
});
