// The verification pass must catch a broken conversion: each test plans a real conversion, then
// damages the output the way an engine bug could, and expects the matching internal error.
import { describe, expect, it } from 'vitest';
import { planConversion } from '../src/plan/plan.js';
import type { ConvertOptions } from '../src/convert.js';
import { applyEdits } from '../src/plan/edits.js';
import { ConvertError } from '../src/parse/errors.js';
import { parseCompose } from '../src/parse/parse.js';
import { verifyConversion } from '../src/verify/verify.js';
import { plainDocument } from '../src/verify/plain-document.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { FIXTURES_DIR } from './helpers/fixtures.js';
import { corpusFiles, sharedCorpusMissing, sharedCorpusTestsRun } from './helpers/shared-corpus.mjs';

const corpusRuns = sharedCorpusTestsRun('verify.test', 'plainDocument read against toJS on the real-world files of ../shared/corpus');

const INPUT = `services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:latest
    environment:
      - PUID=1000
      - TZ=Etc/UTC
    ports:
      - 8989:8989
  web:
    image: nginx:1.27
volumes:
  data: {}
`;

/** The real conversion of `input`, and a check of `damage(output)` against its plan. */
function check(damage: (output: string) => string, input = INPUT, options: ConvertOptions = { services: ['sonarr'] }): () => void {
  const parsed = parseCompose(input);
  const plan = planConversion(parsed, options);
  const output = applyEdits(input, plan.edits);
  return () => verifyConversion(input, plan, damage(output));
}

function expectInternal(run: () => void, detail: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConvertError);
  expect((caught as ConvertError).code).toBe('internal');
  expect((caught as ConvertError).message).toContain(detail);
}

describe('verifyConversion', () => {
  it('accepts the real conversion', () => {
    expect(check((out) => out)).not.toThrow();
  });

  it('catches output that no longer parses', () => {
    expectInternal(check((out) => out.replace('read_only: true', 'read_only: [true')), 'does not parse');
  });

  it('catches a change to an unselected service', () => {
    expectInternal(check((out) => out.replace('nginx:1.27', 'nginx:1.28')), 'unselected service web changed');
  });

  it('catches a change to a top-level key', () => {
    expectInternal(check((out) => out.replace('data: {}', 'data: {driver: local}')), 'top-level key volumes changed');
  });

  it('catches a service added, lost or renamed', () => {
    expectInternal(check((out) => out.replace('  web:', '  www:')), 'the set of services changed');
    expectInternal(check((out) => out.replace('volumes:', '  db:\n    image: postgres\nvolumes:')), 'the set of services changed');
  });

  it('catches a change to another key of a selected service', () => {
    expectInternal(check((out) => out.replace('8989:8989', '8989:80')), 'service sonarr: key ports changed');
  });

  it('catches a variable removed that was not to be stripped', () => {
    expectInternal(check((out) => out.replace('      - TZ=Etc/UTC\n', '')), 'environment changed beyond stripping');
  });

  it('accepts a stripped variable that uncovers the same name merged from a shared block (fuzz seed 1831385874)', () => {
    const input = 'x-envbase: &envbase\n  PGID: 1000\nservices:\n  svc_1:\n    environment:\n      <<: *envbase\n      PGID: Europe/London\n  other:\n    environment: *envbase\n';
    expect(check((out) => out, input, { services: ['svc_1'], stripEnv: ['PGID'] })).not.toThrow();
  });

  it('catches read_only that is not true', () => {
    expectInternal(check((out) => out.replace('read_only: true', 'read_only: "true"')), 'read_only is not true');
  });

  it('catches /run without exec, or twice', () => {
    expectInternal(check((out) => out.replace('/run:exec', '/run:noexec')), '/run is not one tmpfs with exec');
    expectInternal(check((out) => out.replace('- /run:exec', '- /run:exec\n      - /run:exec')), '/run is not one tmpfs with exec');
  });

  it('catches other tmpfs entries lost', () => {
    const input = INPUT.replace('    ports:', '    tmpfs:\n      - /cache\n    ports:');
    expectInternal(check((out) => out.replace('      - /cache\n', ''), input), 'other tmpfs entries changed');
  });

  it('compares values under unknown tags (Compose !reset) with their tags', () => {
    const input = INPUT.replace('  web:\n', '  web:\n    ports: !reset []\n');
    expect(check((out) => out, input)).not.toThrow();
    expectInternal(check((out) => out.replace('!reset []', '!override []'), input), 'unselected service web changed');
  });

  it('follows merge keys and aliases as Compose does', () => {
    const input = `x-env: &env
  TZ: Etc/UTC
services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:latest
    environment:
      <<: *env
      PUID: 1000
  web:
    image: nginx
    environment: *env
`;
    expect(check((out) => out, input)).not.toThrow();
    // The anchored block reaches sonarr through the merge key: its kept variable changed.
    expectInternal(check((out) => out.replace('TZ: Etc/UTC', 'TZ: UTC'), input), 'service sonarr: environment changed beyond stripping');
    expectInternal(check((out) => out.replace('    environment: *env', '    environment: *env\n    user: "1000"'), input), 'unselected service web changed');
  });

  it('reads both sides with yaml where js-yaml refuses the input', () => {
    const input = INPUT.replace('  web:\n', '  web:\n    labels:\n      weight: !!int "abc"\n');
    expect(check((out) => out, input)).not.toThrow();
    expectInternal(check((out) => out.replace('nginx:1.27', 'nginx:1.28'), input), 'unselected service web changed');
  });

  it('reads a same-file extends base as Compose does: a /run the base mounts counts for the child', () => {
    const input = `services:
  base:
    image: lscr.io/linuxserver/sonarr:latest
    read_only: true
    tmpfs:
      - /run:exec
  sonarr:
    extends: base
    environment:
      - PUID=1000
`;
    const options = { services: ['sonarr'] };
    expect(check((out) => out, input, options)).not.toThrow();
    // Compose appends the child's tmpfs to the base's: /run twice.
    expectInternal(check((out) => `${out}    tmpfs:\n      - /run:exec\n`, input, options), '/run is not one tmpfs with exec');
    // read_only false on the child wins over the base's true.
    expectInternal(check((out) => `${out}    read_only: false\n`, input, options), 'read_only is not true');
  });

  it("compares a service whose own keys are unchanged in Compose's view when a service it extends changed", () => {
    // Services are compared as written first; a change in an extended base must still be found
    // at the service that inherits it (listed first here, so it is checked before the base).
    const input = `services:
  web:
    extends: proxy
    image: nginx
  sonarr:
    extends: common
    image: lscr.io/linuxserver/sonarr:latest
  proxy:
    image: caddy
  common:
    ports:
      - 8989:8989
`;
    expect(check((out) => out, input)).not.toThrow();
    expectInternal(check((out) => out.replace('    image: caddy\n', '    image: caddy\n    read_only: false\n'), input), "unselected service web changed in Compose's view");
    expectInternal(check((out) => out.replace('8989:8989', '8989:80'), input), 'service sonarr: key ports changed');
  });

  it('keeps !reset and !override where only yaml reads the input', () => {
    const input = INPUT.replace('  web:\n', '  web:\n    labels:\n      weight: !!int "abc"\n    ports: !reset []\n');
    expect(check((out) => out, input)).not.toThrow();
    expectInternal(check((out) => out.replace('!reset []', '!override []'), input), 'unselected service web changed');
  });

  it('checks again with one parser where yaml and js-yaml read a kept scalar differently', () => {
    // `1_000` and `0b11` are numbers to js-yaml and strings to yaml (the planner's reading).
    const input = INPUT.replace('  web:\n', '  web:\n    labels:\n      weight: 1_000\n      mask: 0b11\n');
    expect(check((out) => out, input)).not.toThrow();
    expectInternal(check((out) => out.replace('weight: 1_000', 'weight: 1_001'), input), 'unselected service web changed');
    expectInternal(check((out) => out.replace('8989:8989', '8989:80'), input), 'service sonarr: key ports changed');
  });
});

describe('plainDocument', () => {
  // yaml with merge keys applied, as Compose and js-yaml read them.
  const toJS = (text: string) => parseDocument(text, { merge: true }).toJS({ maxAliasCount: -1 }) as unknown;
  const plain = (text: string) => plainDocument(parseDocument(text));

  /** How many of the files read as a document without errors; each must read as toJS reads it. */
  function readAsToJS(paths: string[]): number {
    let read = 0;
    for (const path of paths) {
      const text = readFileSync(path, 'utf8');
      const doc = parseDocument(text);
      const value = plainDocument(doc);
      if (doc.errors.length || value === null) continue;
      // node's comparison, not toStrictEqual: that one reads a map's own `constructor` key as its class.
      expect(isDeepStrictEqual(value, toJS(text)), path).toBe(true);
      read++;
    }
    return read;
  }

  it('reads every fixture input without tags as toJS does', () => {
    const fixtures = readdirSync(FIXTURES_DIR).map((n) => join(FIXTURES_DIR, n, 'input.yml')).filter((path) => existsSync(path));
    expect(readAsToJS(fixtures)).toBeGreaterThan(fixtures.length / 2);
  });

  it.skipIf(!corpusRuns)('reads every real-world file of ../shared/corpus without tags as toJS does', () => {
    expect(sharedCorpusMissing).toBeNull();
    const corpus = corpusFiles();
    expect(readAsToJS(corpus)).toBeGreaterThan(corpus.length / 2);
  });

  it('gives an alias the value of the last node before it with that anchor, shared', () => {
    const text = 'a: &x {k: [1, 2]}\nb: *x\nc: &x [3]\nd: *x\ne: &s text\nf: *s\n';
    const value = plain(text) as Record<string, unknown>;
    expect(value).toStrictEqual(toJS(text));
    expect(value.b).toBe(value.a);
    expect(value.d).toBe(value.c);
  });

  it('turns keys into strings as toJS does, __proto__ included', () => {
    const text = '~: null key\n1: one\ntrue: yes\n__proto__: {polluted: 1}\nconstructor: c\n&k key: v\n*k : again\n';
    const value = plain(text) as Record<string, unknown>;
    expect(isDeepStrictEqual(value, toJS(text))).toBe(true);
    expect(Object.keys(value)).toEqual(Object.keys(toJS(text) as object));
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value.__proto__).toEqual({ polluted: 1 });
  });

  it("applies merge keys: the map's own keys first, then each source in order", () => {
    const text = 'a: &a {k: 1, m: 1}\nb: &b {k: 2, n: 2}\nc:\n  m: own\n  <<: [*a, *b]\n  n: later\n"<<": quoted\n';
    expect(plain(text)).toEqual({ a: { k: 1, m: 1 }, b: { k: 2, n: 2 }, c: { m: 'own', k: 1, n: 'later' }, '<<': 'quoted' });
    expect(isDeepStrictEqual(plain(text), toJS(text))).toBe(true);
    const v11 = '%YAML 1.1\n---\nx: &m {a: 1}\ny:\n  <<: *m\n';
    expect(isDeepStrictEqual(plain(v11), toJS(v11))).toBe(true);
  });

  it('leaves tags and collections as keys to a second reading', () => {
    expect(plain('? [a, b]\n: v\n')).toBeNull();
    expect(plain('x: &m {a: 1}\n*m : v\n')).toBeNull();
    expect(plain('ports: !reset []\n')).toBeNull();
    expect(plain('a: !!str 1\n')).toBeNull();
  });
});

