// The tmpfs transform honours what knowledge/needs.ts answers for an image (`MountNeeds.run`:
// exec, plain, none; further tmpfs entries). The needs are built here, not taken from the image
// tables, so each rule is tested whatever the tables say about a given image.
import { describe, expect, it } from 'vitest';
import { tmpfsMounts } from '../transforms/tmpfs.js';
import { parseCompose } from '../src/parse/parse.js';
import { locateServices } from '../src/model/locate.js';
import { stripPolicy } from '../src/model/select.js';
import { applyEdits } from '../src/plan/edits.js';
import type { MountNeeds } from '../src/knowledge/needs.js';
import type { ServiceContext } from '../src/plan/transform.js';

/** Runs the tmpfs transform on the first service of `text` with `needs`; returns the new text and change codes. */
function withNeeds(text: string, needs: MountNeeds): { output: string; changes: string[] } {
  const parsed = parseCompose(text);
  const service = locateServices(parsed)[0]!;
  const ctx: ServiceContext = {
    service,
    doc: parsed.doc,
    layout: parsed.layout,
    style: { sequenceIndent: 2, mappingIndent: 2 },
    strip: stripPolicy(false, {}),
    needs,
    canEdit: () => true,
    lineOf: (offset) => parsed.layout.position(offset).line,
    sibling: () => undefined,
    receivesThroughMerge: () => null,
  };
  const result = tmpfsMounts(ctx);
  return { output: applyEdits(text, result.edits), changes: result.changes.map((c) => c.code) };
}

const plain: MountNeeds = { run: 'plain', tmpfs: [], known: 'unknown', suggested: [] };
const none: MountNeeds = { run: 'none', tmpfs: [], known: 'unknown', suggested: [] };
const exec: MountNeeds = { run: 'exec', tmpfs: [], known: 'unknown', suggested: [] };

describe('MountNeeds.run', () => {
  it('plain: adds /run without exec', () => {
    expect(withNeeds('services:\n  db:\n    image: postgres\n', plain).output).toBe('services:\n  db:\n    image: postgres\n    tmpfs:\n      - /run\n');
  });

  it('plain: leaves a deliberate /run entry as it is, noexec included', () => {
    const text = 'services:\n  db:\n    image: postgres\n    read_only: true\n    tmpfs:\n      - /run:mode=770,size=5M,noexec\n';
    expect(withNeeds(text, plain)).toEqual({ output: text, changes: [] });
  });

  it('none: adds nothing at /run, and still adds the further entries', () => {
    const needs: MountNeeds = { run: 'none', tmpfs: [{ path: '/var/run/postgresql', options: ['uid=70'], source: 'test' }], known: 'unknown', suggested: [] };
    expect(withNeeds('services:\n  db:\n    image: postgres\n', none).output).toBe('services:\n  db:\n    image: postgres\n');
    expect(withNeeds('services:\n  db:\n    image: postgres\n', needs)).toEqual({
      output: 'services:\n  db:\n    image: postgres\n    tmpfs:\n      - /var/run/postgresql:uid=70\n',
      changes: ['tmpfs-added'],
    });
  });

  it('exec: one /run entry with exec, keeping the options of the last one (the one the engine uses)', () => {
    const text = 'services:\n  app:\n    image: x\n    tmpfs: [/run:size=64m, /tmp, "/run:size=128m,noexec"]\n';
    expect(withNeeds(text, exec).output).toBe('services:\n  app:\n    image: x\n    tmpfs: ["/run:size=128m,exec", /tmp]\n');
  });

  it('exec: an already hardened /run with exec is left as it is, whatever its options', () => {
    const text = 'services:\n  app:\n    image: x\n    read_only: true\n    tmpfs: ["/run:exec,mode=755,size=5M"]\n';
    expect(withNeeds(text, exec)).toEqual({ output: text, changes: [] });
  });
});

describe('no second mount at one path', () => {
  it('a bind at /tmp, a volume at /var/run: nothing added at either', () => {
    const needs: MountNeeds = { run: 'exec', tmpfs: [{ path: '/tmp', options: [], source: 'test' }], known: 'unknown', suggested: [] };
    const text = 'services:\n  app:\n    image: x\n    volumes:\n      - ./cache:/tmp\n      - run:/var/run\n';
    expect(withNeeds(text, needs)).toEqual({ output: text, changes: [] });
  });

  it('a long-syntax tmpfs volume at a needed path counts as mounted', () => {
    const needs: MountNeeds = { run: 'none', tmpfs: [{ path: '/tmp', options: [], source: 'test' }], known: 'unknown', suggested: [] };
    const text = 'services:\n  app:\n    image: x\n    volumes:\n      - type: tmpfs\n        target: /tmp\n';
    expect(withNeeds(text, needs).output).toBe(text);
  });
});
