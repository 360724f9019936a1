// Property-based tests: generated compose documents in every style of the corpus, converted
// in-process; the invariants live in test/gen/check.ts (shared with `npm run fuzz`, which runs
// 100,000 cases with a random seed). CI uses a fixed seed so a failure is reproducible.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convert } from '../src/convert.js';
import { AVOID_KNOWN_BUGS, composeCase, composeDoc, otherImageRun, otherImageTmpfs } from './gen/compose.js';
import type { GenSelection, GenService } from './gen/compose.js';
import { checkCase, unintendedLines } from './gen/check.js';
import type { ConvertFn } from './gen/check.js';

const SEED = Number(process.env.RO_CONVERT_PROPERTY_SEED ?? 20260801);
const RUNS = Number(process.env.RO_CONVERT_PROPERTY_RUNS ?? 1000);
const run: ConvertFn = (text, options) => convert(text, options);

describe('generated compose documents', () => {
  it('parse as YAML (the generator itself is sound)', () => {
    fc.assert(
      fc.property(composeDoc, (doc) => {
        expect(() => checkCase(() => ({ output: doc.text, changed: false, services: [] }), doc, { services: [] })).not.toThrow();
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('cover the styles the corpus has', () => {
    const docs = fc.sample(composeDoc, { seed: SEED, numRuns: 400 }).map((d) => d.text);
    const share = (re: RegExp) => docs.filter((t) => re.test(t)).length;
    expect(share(/\r\n/)).toBeGreaterThan(40);
    expect(share(/[^\n]$/)).toBeGreaterThan(40);
    expect(share(/<<: \*common/)).toBeGreaterThan(40);
    expect(share(/environment: \*env\d/)).toBeGreaterThan(1);
    expect(share(/^ {4}\S/m)).toBeGreaterThan(40);
    expect(share(/^( +)\S[^\n]*:\r?\n\1- /m)).toBeGreaterThan(20); // unindented sequence
    expect(share(/: [|>][-+2]?(\s#[^\n]*)?\r?\n/)).toBeGreaterThan(40); // block scalar
    expect(share(/: \{/)).toBeGreaterThan(40); // flow mapping
    expect(share(/^\s*#/m)).toBeGreaterThan(200);
    expect(share(/^"|\n\s*["']\w/)).toBeGreaterThan(40); // quoted keys
    expect(share(/\r?\n\r?\n/)).toBeGreaterThan(100);
    // The shapes of issue 11: merge lists, same-file extends, alias items, anchors on entries a
    // conversion removes (used elsewhere), directives.
    expect(share(/<<: \[\*common/)).toBeGreaterThan(10);
    expect(share(/<<: \[\*envbase/)).toBeGreaterThan(5);
    expect(share(/\bextends:/)).toBeGreaterThan(20);
    expect(share(/- \*(tz|puid|runx|tmpx)\b|[[,] *\*(tz|puid|runx|tmpx)\b/)).toBeGreaterThan(20);
    expect(share(/\*(uid|puid|tmp)\d/)).toBeGreaterThan(5);
    expect(share(/^\uFEFF?%YAML 1\.[12]\r?\n---/)).toBeGreaterThan(20);
  });
});

describe('conversion invariants (fast-check, fixed seed)', () => {
  it(`hold for ${RUNS} generated documents: output parses, unselected services unchanged, intended changes present or explained, idempotent, only intended lines changed`, () => {
    fc.assert(
      fc.property(composeCase, ({ doc, selection }) => {
        expect(checkCase(run, doc, selection)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);
});

describe('the line-diff oracle itself', () => {
  it('accepts intended lines and flags others', () => {
    expect(unintendedLines('a: 1\nb:\n  PUID: 1\n', 'a: 1\nb:\n  read_only: true\n')).toEqual([]);
    expect(unintendedLines('a: 1\n# note\n', 'a: 1\n')).toEqual(['unintended removed line: "# note"']);
    expect(unintendedLines('x: &e\n  PUID: 1\n', 'x: &e {}\n')).toEqual([]);
    expect(unintendedLines('t:\n  - /run\n  # c\n  - /run:exec\n', 't:\n  - /run:exec\n  # c\n')).toEqual([]);
  });
});

// Failures found by the property tests, `npm run fuzz` and the mutation fuzzing, minimised.
// Each is a known bug (see AVOID_KNOWN_BUGS in test/gen/compose.ts, which keeps the generator
// away from it so fuzzing finds new ones). KNOWN BUG: `it.fails` passes while the bug is there;
// when it is fixed, it turns red: flip it to `it` and set its AVOID_KNOWN_BUGS flag to false.
const lsio = (name: string, image = 'lscr.io/linuxserver/sonarr'): GenService => ({ name, image, lsio: true, needsTmp: false });
const other = (name: string, image = 'nginx'): GenService => ({ name, image, lsio: false, needsTmp: false, needsTmpfs: otherImageTmpfs(image), run: otherImageRun(image) });
const regressions: { bug: string; flag: keyof typeof AVOID_KNOWN_BUGS | null; fixed?: true; text: string; selection: GenSelection; services: GenService[] }[] = [
  {
    bug: '`read_only:` with no value and a comment becomes `read_only:  true# note`',
    flag: 'nullReadOnlyWithComment',
    fixed: true,
    text: 'services:\n  web:\n    image: nginx\n    read_only: # note\n',
    selection: { all: true },
    services: [other('web')],
  },
  {
    bug: '`tmpfs:` with no value is left without /run and without a warning',
    flag: 'nullTmpfs',
    fixed: true,
    text: 'services:\n  web:\n    image: nginx\n    tmpfs:\n',
    selection: { all: true },
    services: [other('web')],
  },
  {
    bug: '`tmpfs:` with no value on an image that needs /tmp too: not idempotent',
    flag: 'nullTmpfsNeedingTmp',
    fixed: true,
    text: "services:\n  db:\n    image: 'ghcr.io/linuxserver/mariadb:10.11.8'\n    tmpfs:\n",
    selection: { all: true },
    services: [{ name: 'db', image: 'ghcr.io/linuxserver/mariadb:10.11.8', lsio: true, needsTmp: true }],
  },
  {
    bug: '`tmpfs:` with no value as the last line of a file without a final newline: output does not parse',
    flag: 'nullTmpfsAtEofWithoutNewline',
    fixed: true,
    text: 'services:\n  web:\n    image: x\n    tmpfs:',
    selection: { all: true },
    services: [other('web', 'x')],
  },
  {
    bug: 'an anchored environment emptied by stripping, blank or comment line before its entry: `[]` lands on that line',
    flag: 'blankBeforeEmptiedAnchoredEnv',
    fixed: true,
    text: 'services:\n  db:\n    image: lscr.io/linuxserver/sonarr\n    environment: &env\n # note\n      - PUID\n',
    selection: { all: true },
    services: [lsio('db')],
  },
  {
    bug: 'a stripped variable both own and merged (`<<: *base`): removing the own one uncovers the merged one',
    flag: 'strippedOverMergedStripped',
    fixed: true,
    text: 'x-env: &env\n  PGID: 1000\nservices:\n  db:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      <<: *env\n      PGID: 5\n',
    selection: { all: true },
    services: [lsio('db')],
  },
  {
    bug: 'an environment emptied by stripping is removed with the own-line comments inside it',
    flag: 'commentsInEmptiedEnv',
    fixed: true,
    text: 'services:\n  db:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      # user ids\n      - PUID=1000\n      - PGID=1000\n    restart: always\n',
    selection: { all: true },
    services: [lsio('db')],
  },
  {
    bug: 'a service ending in a block scalar, followed by another service: the new keys go under the next service',
    flag: 'blockScalarLast',
    fixed: true,
    text: 'services:\n  web:\n    image: nginx\n    command: |\n      echo\n  db:\n    image: postgres\n',
    selection: { services: ['web'] },
    services: [other('web'), other('db', 'postgres')],
  },
  {
    bug: 'a merged key edited in the shared block while an unselected service merging it overrides the key',
    flag: 'mergedKeyOverriddenByUnselected',
    fixed: true,
    text: 'x-common: &common\n  tmpfs: /run\nservices:\n  web:\n    <<: *common\n    image: lscr.io/linuxserver/sonarr\n  db:\n    <<: *common\n    tmpfs: /tmp\n',
    selection: { services: ['web'] },
    services: [lsio('web'), other('db', '')],
  },
  {
    bug: 'no final newline, the file ending in an environment that stripping empties: a blank line is added',
    flag: 'emptiedEnvAtEofWithoutNewline',
    fixed: true,
    text: 'services:\n  db:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      - PUID',
    selection: { all: true },
    services: [lsio('db')],
  },
  {
    bug: 'a comment indented deeper than the keys, after a removed environment, joins the block scalar before it',
    flag: 'deepCommentAfterRemovedEnv',
    fixed: true,
    text: 'services:\n  web:\n    command: |\n      echo hello\n    environment:\n      - PUID\n        # note\n    image: lscr.io/linuxserver/sonarr\n',
    selection: { all: true },
    services: [lsio('web')],
  },
  {
    bug: 'the same, with a comment inside the environment (kept when the environment is removed) after a block scalar',
    flag: 'deepCommentAfterRemovedEnv',
    fixed: true,
    text: 'services:\n  web:\n    command: |\n      echo hello\n    environment:\n      # note\n      PUID:\n    image: lscr.io/linuxserver/sonarr\n',
    selection: { all: true },
    services: [lsio('web')],
  },
  {
    bug: 'a flow-mapping service and a block service merging one `tmpfs: /tmp`: both (different) edits of it are applied',
    flag: 'flowAndBlockEditSharedTmpfs',
    fixed: true,
    text: 'x-common: &common\n  tmpfs: /tmp\nservices:\n  web: {<<: *common, image: x}\n  app:\n    <<: *common\n',
    selection: { services: ['web', 'app'] },
    services: [other('web', 'x'), other('app', '')],
  },
  {
    bug: 'a keep-chomping block scalar (`|+`) before a removed environment: a blank line joins the scalar',
    flag: 'keepChompingBeforeRemovedEnv',
    fixed: true,
    text: 'services:\n  web:\n    image: lscr.io/linuxserver/sonarr\n    command: |+\n      echo\n    environment:\n\n      - PUID\n',
    selection: { all: true },
    services: [lsio('web')],
  },
  {
    bug: 'an empty flow mapping service spanning lines: read_only and tmpfs were inserted without a comma between them',
    flag: null,
    fixed: true,
    text: 'services:\r\n  db:\r\n    "environment":\r\n  svc_1: {\r\n  }\r\n  "constructor":\r\n    "labels":',
    selection: { all: true },
    services: [other('db', ''), other('svc_1', ''), other('constructor', '')],
  },
  {
    bug: 'a one-line flow service that only loses its environment (read_only and tmpfs edited in a shared block): the line is intended',
    flag: null,
    fixed: true,
    text: "x-common: &common\n  read_only: false\n  tmpfs: [/run]\nservices:\n  web: {<<: *common, image: 'nginx:1.25', read_only: false, tmpfs: [/tmp]}\n  sonarr: {<<: *common, image: lscr.io/linuxserver/sonarr, environment: [PUID]} # ---\n",
    selection: { all: true },
    services: [other('web', 'nginx:1.25'), lsio('sonarr')],
  },
  {
    bug: 'a scalar tmpfs turned into a list as the last line of a file without a final newline: read_only landed between its items',
    flag: null,
    fixed: true,
    text: 'services:\r\n    svc_1:\r\n        ports:\r\n    db:\r\n        tmpfs: "/tmp"',
    selection: { all: true },
    services: [other('svc_1', ''), other('db', '')],
  },
  {
    bug: 'two /run entries with a blank line between them: the line diff shows the blank line moving (it did not change)',
    flag: null,
    fixed: true,
    text: 'services:\n  web:\n    image: lscr.io/linuxserver/sonarr:latest\n    tmpfs: # c\n    - "/run"\n\n    - "/run:exec"\n  # note\n',
    selection: { all: true },
    services: [lsio('web', 'lscr.io/linuxserver/sonarr:latest')],
  },
  {
    bug: 'no final newline, the last line stripped after a blank line: the blank line now ends the file (not a lost line)',
    flag: null,
    fixed: true,
    text: 'services:\n  web:\n    image: lscr.io/linuxserver/sonarr:latest\n    environment:\n      - TZ=UTC\n\n      - UMASK=1000 # keep this',
    selection: { all: true },
    services: [lsio('web', 'lscr.io/linuxserver/sonarr:latest')],
  },
  {
    bug: 'no final newline, the last two lines (an emptied environment) removed after a blank line: the blank line now ends the file (seed -1621991630)',
    flag: null,
    fixed: true,
    text: 'services:\n  web:\n    image: lscr.io/linuxserver/sonarr:latest\n    read_only: true\n    tmpfs: [/run:exec]\n\n    environment: # x: y\n      - PUID',
    selection: { all: true },
    services: [lsio('web', 'lscr.io/linuxserver/sonarr:latest')],
  },
  {
    bug: 'no final newline, an anchored environment emptied to [] whose last item followed a blank line: the blank line now ends the file (seed 723583999)',
    flag: null,
    fixed: true,
    text: 'services:\n  web:\n    image: lscr.io/linuxserver/sonarr:latest\n    read_only: true\n    tmpfs: [/run:exec]\n    environment: &env2 # see docs\n\n      - PUID',
    selection: { all: true },
    services: [lsio('web', 'lscr.io/linuxserver/sonarr:latest')],
  },
];

describe('regressions found by fuzzing (KNOWN BUGS until fixed: it.fails)', () => {
  for (const r of regressions) {
    (r.fixed ? it : it.fails)(`${r.fixed ? 'fixed: ' : 'KNOWN BUG: '}${r.bug}${r.flag ? ` [${r.flag}]` : ''}`, () => {
      expect(checkCase(run, { text: r.text, services: r.services }, r.selection)).toEqual([]);
    });
  }
});
