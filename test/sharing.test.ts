// How each reader reaches a shared node (src/model/sharing.ts): the planner edits a node in place
// for the service that writes it only where every other reader can be given a copy instead of
// the one alias it reads the node through.
import { describe, expect, it } from 'vitest';
import type { Node } from 'yaml';
import { parseCompose } from '../src/parse/parse.js';
import { locateServices } from '../src/model/locate.js';
import { analyzeSharing, serviceReader } from '../src/model/sharing.js';

/** Each service's way to the node written at `path`: own, `*alias` (`(item)` in a list), many, or null. */
function waysTo(text: string, path: readonly (string | number)[]): Record<string, string | null> {
  const parsed = parseCompose(text);
  const services = locateServices(parsed);
  const sharing = analyzeSharing(parsed, services)!;
  const node = parsed.doc.getIn(path, true) as Node;
  const ways = services.map((s) => {
    const way = sharing.wayTo(node, serviceReader(s.name));
    return [s.name, way === null || typeof way === 'string' ? way : `*${way.alias.source}${way.pair ? '' : ' (item)'}`];
  });
  return Object.fromEntries(ways);
}

describe('the way each reader reaches a node', () => {
  it('is own for the service that writes the anchored node, the alias for one reading it, null for one that does not', () => {
    const text = 'services:\n  a:\n    tmpfs: &t [/tmp]\n  b:\n    tmpfs: *t\n  c:\n    image: x\n';
    expect(waysTo(text, ['services', 'a', 'tmpfs'])).toEqual({ a: 'own', b: '*t', c: null });
  });

  it('passes through a merge key, on to what the merged map holds', () => {
    const text = 'services:\n  a: &a\n    environment: [PUID=1]\n  b:\n    <<: *a\n    image: x\n';
    expect(waysTo(text, ['services', 'a', 'environment'])).toEqual({ a: 'own', b: '*a' });
  });

  it('is the alias item of a merge key list', () => {
    const text = 'x-e: &e {tmpfs: [/tmp]}\nservices:\n  a:\n    <<: [*e]\n';
    expect(waysTo(text, ['x-e', 'tmpfs'])).toEqual({ a: '*e (item)' });
  });

  it('is the alias of a service that is an alias as a whole', () => {
    const text = 'services:\n  a: &a\n    image: x\n  b: *a\n';
    expect(waysTo(text, ['services', 'a'])).toEqual({ a: 'own', b: '*a' });
  });

  it('is many through two aliases, or by two ways to the same node', () => {
    const deep = 'services:\n  a:\n    tmpfs: &t [/tmp]\n  b: &b\n    tmpfs: *t\n  c:\n    <<: *b\n';
    expect(waysTo(deep, ['services', 'a', 'tmpfs'])).toEqual({ a: 'own', b: '*t', c: 'many' });
    const twice = 'services:\n  a:\n    environment: &e {TZ: UTC}\n    labels: *e\n';
    expect(waysTo(twice, ['services', 'a', 'environment'])).toEqual({ a: 'many' });
  });
});
