// Generators of compose documents in the styles found in the corpus, for property tests and
// `npm run fuzz`. A document is generated as a small model (services, values, comments, layout
// choices) and rendered to text, so the invariants can know what each service is (its image,
// whether it is a LinuxServer image) without asking the code under test.
import fc from 'fast-check';

/** What the checker needs to know about one generated service. */
export interface GenService {
  name: string;
  image: string | null;
  /** The image is a LinuxServer image (variables are stripped). */
  lsio: boolean;
  /** A LinuxServer image whose readme requires a `/tmp` tmpfs. */
  needsTmp: boolean;
  /** Further tmpfs paths the image needs (a companion image, e.g. postgres), see otherImageTmpfs. */
  needsTmpfs?: readonly string[];
  /** How the image needs `/run` (see otherImageRun); LinuxServer and unknown images: exec. */
  run?: 'exec' | 'plain' | 'none';
}

/**
 * The tmpfs paths the companion table documents for the non-LinuxServer images generated here,
 * written out by hand (src/knowledge/sources/companion-images.md) so the checker does not ask the
 * code under test: nginx and postgres have documented entries; mariadb's are only observed, redis
 * needs none, the others are unknown.
 */
export function otherImageTmpfs(image: string | null): string[] {
  const name = image?.split(':')[0];
  return name === 'nginx' ? ['/var/cache/nginx', '/tmp'] : name === 'postgres' ? ['/var/run/postgresql', '/tmp'] : [];
}

/**
 * How the companion table says the generated non-LinuxServer images need `/run`, written out by
 * hand like otherImageTmpfs: nginx a plain tmpfs, postgres, mariadb and redis nothing; the
 * unknown ones exec (they may be s6-based).
 */
export function otherImageRun(image: string | null): 'exec' | 'plain' | 'none' {
  const name = image?.split(':')[0];
  return name === 'nginx' ? 'plain' : name === 'postgres' || name === 'mariadb' || name === 'redis' ? 'none' : 'exec';
}

/** A generated compose text and what it contains. */
export interface GenDoc {
  text: string;
  services: GenService[];
  /** How deep the deepest collection is nested (the top-level mapping is 0), when an `x-deep` block makes it deep. */
  depth?: number;
}

/**
 * ro-convert refuses (`too-deep`) a file with a collection nested 200 levels deep or more
 * (src/parse/parse.ts), and converts any less deep one; Compose reads thousands of levels.
 * Deep blocks are generated clear of the limit on either side: 20 to 180 levels, or 220 to 260.
 */
export const TOO_DEEP = 200;

/** Selection options, as `convert` takes them. */
export interface GenSelection {
  all?: boolean;
  services?: string[];
  images?: string[];
  supported?: boolean;
}

// ---------------------------------------------------------------------------------------------
// The model

type Val =
  | { k: 'scalar'; text: string }
  | { k: 'null' }
  | { k: 'alias'; name: string }
  | { k: 'block'; header: string; lines: string[] }
  | { k: 'seq'; items: Item[]; flow: boolean; multiline?: boolean; anchor?: string }
  | { k: 'map'; entries: Entry[]; flow: boolean; multiline?: boolean; anchor?: string };

interface Decor {
  /** Own-line comments before the entry, with their indentation (null: the entry's). */
  before?: { indent: number | null; text: string }[];
  blankBefore?: number;
  /** A comment at the end of the entry's first line. */
  trailing?: string;
  /**
   * How a scalar (or alias) value is written: on the line after its key or dash
   * (`PUID:` then `  1000`; `- # note` then `  PUID=1000`), or after an explicit key (`? UMASK`
   * then `: "022"`; entries only). Other values ignore it.
   */
  form?: 'next-line' | 'explicit';
}

interface Entry extends Decor {
  key: string;
  value: Val;
}

interface Item extends Decor {
  value: Val;
}

interface Layout {
  unit: number;
  seqIndent: number;
  eol: '\n' | '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Rendering

const isFlowish = (v: Val) => v.k === 'scalar' || v.k === 'null' || v.k === 'alias' || ((v.k === 'seq' || v.k === 'map') && v.flow);

function anchorOf(v: Val): string {
  return (v.k === 'seq' || v.k === 'map') && v.anchor ? `&${v.anchor}` : '';
}

/** A value on one line (scalars, aliases, flow collections). */
function inline(v: Val, indent: number, layout: Layout): string[] {
  switch (v.k) {
    case 'scalar':
      return [v.text];
    case 'null':
      return [''];
    case 'alias':
      return [`*${v.name}`];
    case 'seq':
    case 'map': {
      const open = v.k === 'seq' ? '[' : '{';
      const close = v.k === 'seq' ? ']' : '}';
      const parts = v.k === 'seq' ? v.items.map((i) => inline(i.value, indent, layout).join(' ')) : v.entries.map((e) => `${e.key}: ${inline(e.value, indent, layout).join(' ')}`.trimEnd());
      const anchor = anchorOf(v) ? `${anchorOf(v)} ` : '';
      if (v.multiline && parts.length > 0) {
        const inner = ' '.repeat(indent + layout.unit);
        return [`${anchor}${open}`, ...parts.map((p) => `${inner}${p},`), `${' '.repeat(indent)}${close}`];
      }
      return [`${anchor}${open}${parts.join(', ')}${close}`];
    }
    default:
      throw new Error('not inline');
  }
}

function decorate(d: Decor, indent: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < (d.blankBefore ?? 0); i++) out.push('');
  for (const c of d.before ?? []) {
    const column = c.indent === null ? indent : AVOID_KNOWN_BUGS.deepCommentAfterRemovedEnv ? Math.min(c.indent, indent) : c.indent;
    out.push(`${' '.repeat(column)}# ${c.text}`);
  }
  return out;
}

function trailing(d: Decor): string {
  return d.trailing ? ` # ${d.trailing}` : '';
}

function renderEntries(entries: Entry[], indent: number, layout: Layout): string[] {
  return entries.flatMap((e) => renderEntry(e, indent, layout));
}

function renderEntry(e: Entry, indent: number, layout: Layout): string[] {
  const pad = ' '.repeat(indent);
  const out = decorate(e, indent);
  const v = e.value;
  const simple = v.k === 'scalar' || v.k === 'alias';
  if (e.form === 'explicit' && (simple || v.k === 'null')) {
    out.push(`${pad}? ${e.key}`, `${pad}:${simple ? ` ${inline(v, indent, layout)[0]}` : ''}${trailing(e)}`);
    return out;
  }
  if (e.form === 'next-line' && simple) {
    out.push(`${pad}${e.key}:${trailing(e)}`, `${' '.repeat(indent + layout.unit)}${inline(v, indent, layout)[0]}`);
    return out;
  }
  if (isFlowish(v)) {
    const [first, ...rest] = inline(v, indent, layout);
    const sep = v.k === 'null' ? '' : ' ';
    out.push(`${pad}${e.key}:${sep}${first}${rest.length ? '' : trailing(e)}`);
    if (rest.length) {
      rest[rest.length - 1] += trailing(e);
      out.push(...rest);
    }
    return out;
  }
  if (v.k === 'block') {
    out.push(`${pad}${e.key}: ${v.header}${trailing(e)}`);
    const inner = ' '.repeat(indent + layout.unit);
    out.push(...v.lines.map((l) => (l === '' ? '' : `${inner}${l}`)));
    return out;
  }
  const anchor = anchorOf(v) ? ` ${anchorOf(v)}` : '';
  out.push(`${pad}${e.key}:${anchor}${trailing(e)}`);
  if (v.k === 'map') out.push(...renderEntries(v.entries, indent + layout.unit, layout));
  if (v.k === 'seq') out.push(...renderItems(v.items, indent + layout.seqIndent, layout));
  return out;
}

function renderItems(items: Item[], dashIndent: number, layout: Layout): string[] {
  const pad = ' '.repeat(dashIndent);
  return items.flatMap((item) => {
    const out = decorate(item, dashIndent);
    const v = item.value;
    if (v.k === 'map' && !v.flow) {
      // `- key: value` then the other keys under the first one.
      const [first, ...rest] = v.entries;
      const head = renderEntry({ ...first!, before: [], blankBefore: 0 }, dashIndent + 2, layout);
      out.push(`${pad}- ${head[0]!.slice(dashIndent + 2)}`, ...head.slice(1));
      out.push(...renderEntries(rest, dashIndent + 2, layout));
      return out;
    }
    const [line, ...more] = inline(v, dashIndent + 2, layout);
    if (item.form === 'next-line' && (v.k === 'scalar' || v.k === 'alias')) {
      out.push(`${pad}-${trailing(item)}`, `${pad}  ${line}`);
      return out;
    }
    out.push(`${pad}- ${line}${more.length ? '' : trailing(item)}`);
    if (more.length) {
      more[more.length - 1] += trailing(item);
      out.push(...more);
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Value pools

const LSIO_IMAGES: [string, boolean][] = [
  ['lscr.io/linuxserver/sonarr:latest', false],
  ['linuxserver/radarr', false],
  ['ghcr.io/linuxserver/mariadb:10.11.8', true],
  ['lscr.io/linuxserver/nginx', true],
  ['docker.io/linuxserver/swag:2.4.0-ls300', true],
  ['lscr.io/linuxserver/code-server:4.0.14', true],
  ['lscr.io/linuxserver/jellyfin@sha256:' + 'ab12'.repeat(16), false],
  ['lscr.io/linuxserver/prowlarr:version-1.2.3', false],
];
const OTHER_IMAGES = ['nginx:1.25', 'postgres:16', 'ghcr.io/example/app:1.0', 'mariadb:11', 'myregistry.local:5000/team/tool', 'redis'];

/** Every variable name the generator uses, and which of them a LinuxServer service loses. */
export const STRIPPED = ['PUID', 'PGID', 'UMASK', 'UMASK_SET', 'DOCKER_MODS', 'DOCKER_MODS_DEBUG', 'RUN_BANNED_MODS', 'INSTALL_PACKAGES', 'INSTALL_PIP_PACKAGES'];
// `__proto__` is a name like any other to Compose (and must stay one to ro-convert and the checker).
const KEPT = ['TZ', 'PUID_FILE', 'MY_PGID', 'puid', 'WEBUI_PORT', 'FILE__PASSWORD', 'S6_VERBOSITY', 'UMASK_FILE', '__proto__'];
const VALUES = ['1000', '022', 'Europe/London', 'linuxserver/mods:universal-cron|linuxserver/mods:x', 'true', '8080', 'a b c', '/run/secrets/pw'];
const COMMENTS = ['note', 'keep this', 'c', 'see docs', '---', '#', 'x: y', ''];

/**
 * Shapes of known, reported bugs the generator avoids so that fuzzing keeps finding new ones.
 * Each has a regression test (it.fails) in test/properties.test.ts; when the bug is fixed, set
 * its flag to false and flip the test to it().
 */
export const AVOID_KNOWN_BUGS = {
  /** `read_only: # comment` (null value and a comment) became `read_only:  true# comment`. */
  nullReadOnlyWithComment: false,
  /** `tmpfs:` with no value: left as it is, with no `/run` and no warning. */
  nullTmpfs: false,
  /** `tmpfs:` with no value on an image that also needs `/tmp` (mariadb…): the second run
   * changes the file again (internal error). (Avoided by generating no `tmpfs:` null at all.) */
  nullTmpfsNeedingTmp: false,
  /** `tmpfs:` with no value as the file's last line, no final newline: the list is glued to the
   * key (`tmpfs:- /run:exec`… does not parse; internal error). (Avoided by ending such files
   * with other keys.) */
  nullTmpfsAtEofWithoutNewline: false,
  /** An anchored block environment emptied by stripping, with a blank or comment line before
   * its first entry: `{}`/`[]` goes onto that line, not the key's (output does not parse when
   * that line is less indented). */
  blankBeforeEmptiedAnchoredEnv: false,
  /** A stripped variable set both on the service's environment mapping and in a map merged
   * into it (`<<: *base`): removing the own one uncovers the merged one (internal error). */
  strippedOverMergedStripped: false,
  /** An environment emptied by stripping is removed with the own-line comments inside it
   * (the issue: "other comments stay"). */
  commentsInEmptiedEnv: false,
  /** A service whose last key holds a block scalar (`command: |`), followed by another
   * service: the new keys were inserted under the next service (internal error). */
  blockScalarLast: false,
  /** A key in an anchored block merged (`<<`) by a selected service and by an unselected one
   * that overrides the key: the shared block is edited, then verification refuses it
   * ("unselected service changed", internal error). */
  mergedKeyOverriddenByUnselected: false,
  /** No final newline and the file ends in an environment that stripping empties: a blank
   * line is added before the new keys. (Avoided by ending such files with other keys.) */
  emptiedEnvAtEofWithoutNewline: false,
  /** A comment indented deeper than the keys (e.g. one inside the environment) left behind
   * when stripping removes the environment, with a block scalar before it: the comment becomes
   * part of the block scalar (internal error). (Avoided by putting block scalars last and never
   * indenting a comment deeper than its entry.) */
  deepCommentAfterRemovedEnv: false,
  /** A flow-mapping service and a block service, both selected, merging one anchored block
   * with `tmpfs: /tmp`: both services' (different) edits of the shared scalar were applied
   * (internal error). (Avoided by not merging into flow-mapping services.) */
  flowAndBlockEditSharedTmpfs: false,
  /** A keep-chomping block scalar (`command: |+`) right before an environment that stripping
   * removes, with a blank line left behind: the blank line joined the scalar's value
   * (internal error). (Avoided by not generating `|+`.) */
  keepChompingBeforeRemovedEnv: false,
};

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

const comment = fc.record({ indent: fc.option(fc.nat({ max: 6 }), { nil: null, freq: 3 }), text: pick(COMMENTS) });
const decor: fc.Arbitrary<Decor> = fc.record(
  {
    before: fc.array(comment, { maxLength: 2 }),
    blankBefore: fc.nat({ max: 2 }),
    trailing: pick(COMMENTS),
    form: fc.oneof({ weight: 1, arbitrary: fc.constant('next-line' as const) }, { weight: 1, arbitrary: fc.constant('explicit' as const) }, { weight: 10, arbitrary: fc.constant(undefined) }),
  },
  { requiredKeys: [] },
);

function quoteKey(key: string): fc.Arbitrary<string> {
  return fc.oneof({ weight: 6, arbitrary: fc.constant(key) }, { weight: 1, arbitrary: fc.constant(`"${key}"`) }, { weight: 1, arbitrary: fc.constant(`'${key}'`) });
}

function quoteValue(text: string, flow: boolean): fc.Arbitrary<string> {
  const plainOk = !/^[\s'"!&*%@`|>{[\]}#,?:-]|: | #|^\s|\s$/.test(text) && !(flow && /[,[\]{}]/.test(text));
  const dq = `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const sq = `'${text.replace(/'/g, "''")}'`;
  return plainOk ? fc.oneof({ weight: 4, arbitrary: fc.constant(text) }, fc.constant(dq), fc.constant(sq)) : fc.constantFrom(dq, sq);
}

// ---------------------------------------------------------------------------------------------
// Service parts

interface Ctx {
  flow: boolean;
  anchorsOk: boolean;
}

const scalar = (text: string): Val => ({ k: 'scalar', text });
const alias = (name: string): Val => ({ k: 'alias', name });

/**
 * Anchors that earlier services define on entries a conversion may change or remove, for later
 * services to use: a whole environment, a variable's value (`PUID: &uid0 1000`, used as
 * `MY_PGID: *uid0`), a list entry (`- &puid0 PUID=1000`, used as `- *puid0`), a scalar tmpfs
 * (`tmpfs: &tmp0 /tmp`, used as `tmpfs: *tmp0`).
 */
interface Anchors {
  env: string[];
  value: string[];
  item: string[];
  tmpfs: string[];
}

const noAnchors = (): Anchors => ({ env: [], value: [], item: [], tmpfs: [] });

/** The kept variable an alias of an earlier service's stripped value is set as. */
const ALIASED_VALUE_NAME = 'MY_PGID';

/** Variables the `x-vars` block anchors, for alias items in environment lists. */
const VAR_ITEMS: Record<string, string> = { tz: 'TZ', puid: 'PUID' };

function envArb(ctx: Ctx, envAnchor: string | null, index: number, earlier: Anchors): fc.Arbitrary<{ value: Val; defined: Partial<Anchors> }> {
  const names = fc.uniqueArray(fc.oneof(pick(STRIPPED), pick(KEPT)), { minLength: 1, maxLength: 6 });
  const rare = <T>(arb: fc.Arbitrary<T>, nil: T) => (ctx.anchorsOk ? fc.oneof({ weight: 5, arbitrary: fc.constant(nil) }, { weight: 1, arbitrary: arb }) : fc.constant(nil));
  return fc
    .record({
      names,
      values: fc.array(fc.option(pick(VALUES), { freq: 5 }), { minLength: 6, maxLength: 6 }),
      form: ctx.flow ? pick(['flow-list', 'flow-map'] as const) : pick(['list', 'map', 'list', 'map', 'flow-list', 'flow-map'] as const),
      multiline: fc.boolean(),
      decors: fc.array(decor, { minLength: 6, maxLength: 6 }),
      quotes: fc.array(fc.nat({ max: 5 }), { minLength: 6, maxLength: 6 }),
      mergeBase: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constant<Val>(alias('envbase')) }, { weight: 1, arbitrary: pick(['envbase', 'envbase2']).map((first): Val => ({ k: 'seq', flow: true, items: [{ value: alias(first) }, { value: alias(first === 'envbase' ? 'envbase2' : 'envbase') }] })) }),
      // Alias items (`- *tz`, `[*tz, PUID=1000]`), at these positions.
      varItems: rare(fc.subarray(Object.keys(VAR_ITEMS), { minLength: 1 }), [] as string[]),
      varAt: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }),
      defineAnchor: rare(fc.constant(true), false),
      useValue: earlier.value.length ? fc.option(pick(earlier.value), { freq: 2 }) : fc.constant(null),
      useItem: earlier.item.length ? fc.option(pick(earlier.item), { freq: 2 }) : fc.constant(null),
    })
    .chain(({ names, values, form, multiline, decors, quotes, mergeBase, varItems, varAt, defineAnchor, useValue, useItem }) => {
      const flow = form.startsWith('flow');
      const isList = form.endsWith('list');
      if (isList) names = names.filter((n) => !varItems.some((v) => VAR_ITEMS[v] === n) && !(useItem && n === 'PUID'));
      else if (useValue) names = names.filter((n) => n !== ALIASED_VALUE_NAME);
      if (names.length === 0) names = ['WEBUI_PORT'];
      if (mergeBase && ctx.anchorsOk && !flow && form === 'map' && AVOID_KNOWN_BUGS.strippedOverMergedStripped) {
        names = names.filter((n) => n !== 'PGID');
        if (names.length === 0) names = ['TZ'];
      }
      if (AVOID_KNOWN_BUGS.commentsInEmptiedEnv && names.every((n) => STRIPPED.includes(n))) decors = decors.map((d) => ({ ...d, before: [] }));
      if (envAnchor && AVOID_KNOWN_BUGS.blankBeforeEmptiedAnchoredEnv) decors[0] = { ...decors[0], blankBefore: 0, before: [] };
      const useDecor = !flow;
      // An anchor on the first stripped entry, for later services to alias.
      const anchored = defineAnchor ? names.findIndex((n) => STRIPPED.includes(n)) : -1;
      const anchorName = `${isList ? 'puid' : 'uid'}${index}`;
      const defined: Partial<Anchors> = anchored < 0 ? {} : isList ? { item: [anchorName] } : { value: [anchorName] };
      const withAnchor = (i: number, text: string) => (i === anchored ? `&${anchorName} ${text}` : text);
      if (isList) {
        const items = names.map((name, i) => {
          const value = values[i];
          const text = value === null ? name : `${name}=${value}`;
          return quoteValue(text, flow).map((t): Item => ({ ...(useDecor ? decors[i] : {}), value: scalar(withAnchor(i, quotes[i] === 0 ? text.replace(/ /g, '_') : t)) }));
        });
        return fc.tuple(...items).map((list) => {
          const aliases = [...varItems.map((v) => alias(v)), ...(useItem ? [alias(useItem)] : [])];
          aliases.forEach((value, i) => list.splice(varAt[i % varAt.length]! % (list.length + 1), 0, { value }));
          return { value: { k: 'seq', items: list, flow, multiline: flow && multiline, ...(envAnchor && !flow ? { anchor: envAnchor } : {}) } as Val, defined };
        });
      }
      const entries = names.map((name, i) => {
        const value = i === anchored && values[i] === null ? '1000' : values[i];
        return fc.tuple(quoteKey(name), value === null || value === undefined ? fc.constant(null) : quoteValue(value, flow)).map(([key, v]): Entry => ({
          ...(useDecor ? decors[i] : {}),
          key,
          value: v === null ? (flow ? scalar("''") : { k: 'null' }) : scalar(withAnchor(i, v)),
        }));
      });
      return fc.tuple(...entries).map((list) => {
        const merged = mergeBase && ctx.anchorsOk && !flow ? [{ key: '<<', value: mergeBase } as Entry, ...list] : list;
        const all = useValue ? [...merged, { key: ALIASED_VALUE_NAME, value: alias(useValue) }] : merged;
        return { value: { k: 'map', entries: all, flow, multiline: flow && multiline, ...(envAnchor && !flow ? { anchor: envAnchor } : {}) } as Val, defined };
      });
    });
}

// With Compose v2's readings: `/var/run` is `/run`; a default is the path (`${RUN_DIR:-/run}`);
// a bare variable is known only at run time.
const TMPFS_ITEMS = ['/tmp', '/run', '/run:noexec,size=10m', '/run:exec', '/var/cache:size=1m', '/run/', '/tmp:mode=1777', '/run:size=64m', '/var/run', '${RUN_DIR:-/run}', '${TMP_DIR-/tmp}', '${SCRATCH_DIR}'];
/** Tmpfs entries the `x-vars` block anchors, for alias items. */
const TMPFS_VARS = ['runx', 'tmpx'];

function tmpfsArb(ctx: Ctx, index: number, earlier: Anchors): fc.Arbitrary<{ value: Val; defined: Partial<Anchors> }> {
  const plainItem = pick(TMPFS_ITEMS).chain((t) => quoteValue(t, true));
  const item = ctx.anchorsOk ? fc.oneof({ weight: 8, arbitrary: plainItem.map(scalar) }, { weight: 1, arbitrary: pick(TMPFS_VARS).map(alias) }) : plainItem.map(scalar);
  const plain = (arb: fc.Arbitrary<Val>) => arb.map((value) => ({ value, defined: {} }));
  // A scalar tmpfs with an anchor that later services use (`tmpfs: &tmp0 /tmp`).
  const anchoredScalar = plainItem.map((t) => ({ value: scalar(`&tmp${index} ${t}`), defined: { tmpfs: [`tmp${index}`] } }));
  return fc.oneof(
    { weight: 6, arbitrary: plain(plainItem.map(scalar)) },
    ...(ctx.anchorsOk ? [{ weight: 2, arbitrary: anchoredScalar }] : []),
    ...(ctx.anchorsOk && earlier.tmpfs.length ? [{ weight: 8, arbitrary: plain(pick(earlier.tmpfs).map(alias)) }] : []),
    ...(ctx.flow || AVOID_KNOWN_BUGS.nullTmpfs || AVOID_KNOWN_BUGS.nullTmpfsNeedingTmp ? [] : [{ weight: 6, arbitrary: plain(fc.constant<Val>({ k: 'null' })) }]),
    {
      weight: 6,
      arbitrary: plain(
        fc.record({ items: fc.array(item, { minLength: 1, maxLength: 3 }), flow: ctx.flow ? fc.constant(true) : fc.boolean(), decors: fc.array(decor, { minLength: 3, maxLength: 3 }) }).map(
          ({ items, flow, decors }): Val => ({ k: 'seq', flow, items: items.map((value, i) => ({ ...(flow ? {} : decors[i]), value })) }),
        ),
      ),
    },
  );
}

function readOnlyArb(ctx: Ctx): fc.Arbitrary<Val> {
  // `!reset` drops the key in Compose v2; `!override` is the value itself in one file.
  const values = pick(['false', 'true', 'True', 'no', '"false"', "'${READ_ONLY:-false}'", '"${RO}"', 'FALSE', '!reset true', '!override false']).map(scalar);
  return ctx.flow ? values : fc.oneof(values, fc.constant<Val>({ k: 'null' }));
}

function volumesArb(ctx: Ctx): fc.Arbitrary<Val> {
  const short = pick(['./config:/config', '/srv/data:/data:ro', 'data:/var/lib/data', '"./a b:/c"', '"./cache:${CACHE_DIR:-/var/cache/nginx}"']).map((t): Val => scalar(t));
  const long = ctx.flow
    ? fc.constant<Val>({ k: 'map', flow: true, entries: [{ key: 'type', value: scalar('tmpfs') }, { key: 'target', value: scalar('/run') }] })
    : pick(['/run', '/cache']).map((target): Val => ({ k: 'map', flow: false, entries: [{ key: 'type', value: scalar('tmpfs') }, { key: 'target', value: scalar(target) }] }));
  const item = fc.oneof({ weight: 5, arbitrary: short }, { weight: 1, arbitrary: long });
  return fc.record({ items: fc.array(item, { minLength: 1, maxLength: 3 }), flow: ctx.flow ? fc.constant(true) : fc.boolean() }).map(({ items, flow }): Val => ({
    k: 'seq',
    flow,
    items: items.map((value) => ({ value: flow && value.k === 'map' ? { ...value, flow: true } : value })),
  }));
}

const blockScalarArb: fc.Arbitrary<Val> = fc
  .record({
    header: pick(AVOID_KNOWN_BUGS.keepChompingBeforeRemovedEnv ? ['|', '|-', '>', '>-', '|2'] : ['|', '|-', '|+', '>', '>-', '|2']),
    lines: fc.array(pick(['echo hello', 'sleep 1 # not a comment', '  indented: more', '', 'key: value', 'exec "$@"']), { minLength: 1, maxLength: 4 }),
    trailingBlank: fc.nat({ max: 2 }),
  })
  .map(({ header, lines, trailingBlank }): Val => {
    const body = lines[0] === '' || lines[0]!.startsWith(' ') ? ['start', ...lines] : lines;
    return { k: 'block', header, lines: [...body, ...Array.from({ length: trailingBlank }, () => '')] };
  });

function otherKeys(ctx: Ctx): fc.Arbitrary<Entry>[] {
  const simple = [
    fc.constant<Entry>({ key: 'restart', value: scalar('unless-stopped') }),
    pick(['sonarr', '"my app"', 'x-y']).map((n): Entry => ({ key: 'container_name', value: scalar(n) })),
    fc.record({ items: fc.array(pick(['8989:8989', '"127.0.0.1:80:80"', "'53:53/udp'"]), { minLength: 1, maxLength: 2 }), flow: ctx.flow ? fc.constant(true) : fc.boolean() }).map(
      ({ items, flow }): Entry => ({ key: 'ports', value: { k: 'seq', flow, items: items.map((t) => ({ value: scalar(t) })) } }),
    ),
    volumesArb(ctx).map((value): Entry => ({ key: 'volumes', value })),
    fc.constant<Entry>({ key: 'user', value: scalar('"1000:1000"') }),
  ];
  if (ctx.flow) return simple;
  return [
    ...simple,
    blockScalarArb.map((value): Entry => ({ key: 'command', value })),
    fc.constant<Entry>({
      key: 'healthcheck',
      value: { k: 'map', flow: false, entries: [{ key: 'test', value: scalar('["CMD", "curl", "-f", "http://localhost"]') }, { key: 'interval', value: scalar('30s') }] },
    }),
    fc.boolean().map(
      (proto): Entry => ({
        key: 'labels',
        value: { k: 'map', flow: false, entries: [{ key: '"traefik.enable"', value: scalar('"true"') }, { key: 'com.example.tmpfs', value: scalar('no') }, ...(proto ? [{ key: '__proto__', value: scalar('x') }] : [])] },
      }),
    ),
    fc.constant<Entry>({ key: 'env_file', value: scalar('.env') }),
  ];
}

interface ServicePlan {
  service: GenService;
  entry: Entry;
  /** Anchors this service defines for later ones. */
  defined: Anchors;
}

/** What the checker knows of a service from the image Compose runs it with (own or extended). */
function describeService(name: string, image: string | null): GenService {
  const lsioImage = LSIO_IMAGES.find(([i]) => i === image);
  if (lsioImage) return { name, image, lsio: true, needsTmp: lsioImage[1], needsTmpfs: [], run: 'exec' };
  return { name, image, lsio: false, needsTmp: false, needsTmpfs: otherImageTmpfs(image), run: otherImageRun(image) };
}

/** `extends` naming an earlier service, in each form Compose takes for one file. */
function extendsArb(bases: readonly ServicePlan[], flow: boolean): fc.Arbitrary<{ base: ServicePlan; entry: Entry } | null> {
  if (bases.length === 0) return fc.constant(null);
  const entry = fc.record({ base: pick(bases), form: pick(flow ? (['scalar', 'flow'] as const) : (['scalar', 'scalar', 'flow', 'block'] as const)) }).map(({ base, form }) => {
    const name = base.service.name;
    const value: Val = form === 'scalar' ? scalar(name) : { k: 'map', flow: form === 'flow', entries: [{ key: 'service', value: scalar(name) }] };
    return { base, entry: { key: 'extends', value } };
  });
  return fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: entry });
}

/** `<<:` at the head of a service: none, one block, or a list of two (the earlier one wins). */
const serviceMergeArb = fc.oneof(
  { weight: 9, arbitrary: fc.constant<Val | null>(null) },
  { weight: 3, arbitrary: fc.constant<Val | null>(alias('common')) },
  { weight: 1, arbitrary: pick(['common', 'common2']).map((first): Val => ({ k: 'seq', flow: true, items: [{ value: alias(first) }, { value: alias(first === 'common' ? 'common2' : 'common') }] })) },
);

function serviceArb(name: string, index: number, anchorsOk: boolean, earlier: readonly ServicePlan[]): fc.Arbitrary<ServicePlan> {
  const anchors = earlier.reduce((all, p) => mergeAnchors(all, p.defined), noAnchors());
  return fc
    .record({
      flow: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      multiline: fc.boolean(),
      lsio: fc.boolean(),
      lsioImage: pick(LSIO_IMAGES),
      otherImage: pick(OTHER_IMAGES),
      imageForm: pick(['plain', 'plain', 'plain', 'quoted', 'none', 'alias'] as const),
      merge: anchorsOk ? serviceMergeArb : fc.constant(null),
      hasEnv: fc.nat({ max: 4 }),
      envAlias: anchors.env.length && anchorsOk ? fc.option(pick(anchors.env), { freq: 2 }) : fc.constant(null),
      anchorEnv: fc.boolean(),
      hasRo: fc.nat({ max: 3 }),
      hasTmpfs: fc.nat({ max: 3 }),
      decors: fc.array(decor, { minLength: 12, maxLength: 12 }),
      nameKey: quoteKey(name),
      serviceDecor: decor,
    })
    .chain((r) => extendsArb(earlier, r.flow).map((ext) => ({ ...r, ext })))
    .chain((r) => {
      const ctx: Ctx = { flow: r.flow, anchorsOk };
      const ownImage = r.imageForm === 'none' ? null : r.imageForm === 'alias' && anchorsOk ? (r.lsio ? LSIO_ALIAS : OTHER_ALIAS) : r.lsio ? r.lsioImage[0] : r.otherImage;
      const envAnchor = r.anchorEnv && anchorsOk ? `env${index}` : null;
      const withDefined = (arb: fc.Arbitrary<{ value: Val; defined: Partial<Anchors> }>, key: string) => arb.map(({ value, defined }) => ({ entry: { key, value } as Entry, defined }));
      const parts: fc.Arbitrary<{ entry: Entry; defined: Partial<Anchors> } | null>[] = [
        (ownImage === null
          ? fc.constant<Entry>({ key: 'build', value: scalar('.') })
          : r.imageForm === 'alias' && anchorsOk
            ? fc.constant<Entry>({ key: 'image', value: alias(r.lsio ? 'lsioimg' : 'otherimg') })
            : quoteValue(ownImage, r.flow).map((t): Entry => ({ key: 'image', value: scalar(r.imageForm === 'quoted' ? `"${ownImage}"` : t) }))
        ).map((entry) => ({ entry, defined: {} })),
        r.hasEnv === 0
          ? fc.constant(null)
          : r.envAlias && r.hasEnv === 1 && !r.flow
            ? fc.constant({ entry: { key: 'environment', value: alias(r.envAlias) }, defined: {} })
            : withDefined(envArb(ctx, envAnchor, index, anchors), 'environment'),
        r.hasRo === 0 ? readOnlyArb(ctx).map((value) => ({ entry: { key: 'read_only', value } as Entry, defined: {} })) : fc.constant(null),
        r.hasTmpfs === 0 ? withDefined(tmpfsArb(ctx, index, anchors), 'tmpfs') : fc.constant(null),
        ...otherKeys(ctx).map((arb) => fc.option(arb.map((entry) => ({ entry, defined: {} })), { freq: 2 })),
        ...(r.ext ? [fc.constant({ entry: r.ext.entry, defined: {} })] : []),
      ];
      return fc.tuple(fc.tuple(...parts), fc.array(fc.integer(), { minLength: 16, maxLength: 16 })).chain(([generated, order]) => {
        const present = generated.filter(
          (g): g is { entry: Entry; defined: Partial<Anchors> } => g !== null && !(r.merge && AVOID_KNOWN_BUGS.mergedKeyOverriddenByUnselected && ['read_only', 'tmpfs', 'environment'].includes(g.entry.key)),
        );
        const defined = present.reduce((all, g) => mergeAnchors(all, g.defined), noAnchors());
        // A permutation of the keys, with quoted keys and comments here and there.
        const shuffled = present.map((g, i) => ({ e: g.entry, o: order[i]! })).sort((a, b) => a.o - b.o).map((x) => x.e);
        if (AVOID_KNOWN_BUGS.blockScalarLast && shuffled.length > 1 && shuffled[shuffled.length - 1]!.value.k === 'block') shuffled.unshift(shuffled.pop()!);
        // Keep a block scalar from sitting before an environment that may be removed.
        const block = shuffled.findIndex((e) => e.value.k === 'block');
        if (AVOID_KNOWN_BUGS.deepCommentAfterRemovedEnv && block >= 0 && !AVOID_KNOWN_BUGS.blockScalarLast) shuffled.push(...shuffled.splice(block, 1));
        const keyed = shuffled.map((e, i) =>
          quoteKey(e.key).map((key): Entry => {
            const entry: Entry = { ...(r.flow ? {} : r.decors[i % r.decors.length]), ...e, key: e.key === '<<' ? '<<' : key };
            if (AVOID_KNOWN_BUGS.nullReadOnlyWithComment && e.key === 'read_only' && e.value.k === 'null') delete entry.trailing;
            return entry;
          }),
        );
        return fc.tuple(...keyed).map((list) => {
          const all = r.merge && !(r.flow && AVOID_KNOWN_BUGS.flowAndBlockEditSharedTmpfs) ? [{ key: '<<', value: r.merge } as Entry, ...list] : list;
          const usedEnvAnchor = envAnchor !== null && all.some((e) => (e.value.k === 'map' || e.value.k === 'seq') && e.value.anchor === envAnchor);
          const value: Val = { k: 'map', flow: r.flow, multiline: r.flow && r.multiline, entries: all.length ? all : [{ key: 'image', value: scalar('busybox') }] };
          // Compose runs the service with its own image, else the one it extends.
          const image = ownImage ?? r.ext?.base.service.image ?? null;
          return {
            service: describeService(name, image),
            entry: { ...r.serviceDecor, key: r.nameKey, value },
            defined: mergeAnchors(defined, { env: usedEnvAnchor ? [envAnchor] : [] }),
          };
        });
      });
    });
}

function mergeAnchors(a: Anchors, b: Partial<Anchors>): Anchors {
  return { env: [...a.env, ...(b.env ?? [])], value: [...a.value, ...(b.value ?? [])], item: [...a.item, ...(b.item ?? [])], tmpfs: [...a.tmpfs, ...(b.tmpfs ?? [])] };
}

const LSIO_ALIAS = 'lscr.io/linuxserver/sonarr:latest';
const OTHER_ALIAS = 'nginx:1.25';
const NAMES = ['web', 'db', 'sonarr', 'radarr', 'app', 'svc_1', 'my-service', 'constructor', '__proto__'];

function servicesArb(anchorsOk: boolean): fc.Arbitrary<ServicePlan[]> {
  return fc.uniqueArray(pick(NAMES), { minLength: 1, maxLength: 4 }).chain((names) => {
    // Build one at a time so a later service may alias an earlier service's entries or extend it.
    let acc: fc.Arbitrary<ServicePlan[]> = fc.constant([]);
    names.forEach((name, index) => {
      acc = acc.chain((done) => serviceArb(name, index, anchorsOk, done).map((plan) => [...done, plan]));
    });
    return acc;
  });
}

/** The `x-*` blocks that anchors and merge keys point at. */
const prelude: fc.Arbitrary<Entry[]> = fc
  .record({
    commonRo: fc.option(pick(['false', 'true']), { freq: 2 }),
    commonTmpfs: fc.option(pick(['[/run]', '/tmp', '[/run:noexec]']), { freq: 2 }),
    commonEnv: fc.boolean(),
    common2Ro: fc.option(pick(['true', 'false']), { freq: 2 }),
    common2Tmpfs: fc.option(pick(['[/run:exec]', '/tmp', '[/run:size=64m]']), { freq: 2 }),
    common2Env: fc.boolean(),
    decor,
  })
  .map(({ commonRo, commonTmpfs, commonEnv, common2Ro, common2Tmpfs, common2Env, decor: d }) => {
    const block = (ro: string | null, tmpfs: string | null, env: [string, string][] | null): Entry[] => [
      ...(ro ? [{ key: 'read_only', value: scalar(ro) }] : []),
      ...(tmpfs ? [{ key: 'tmpfs', value: scalar(tmpfs) }] : []),
      ...(env ? [{ key: 'environment', value: { k: 'map', flow: false, entries: env.map(([key, v]) => ({ key, value: scalar(v) })) } as Val }] : []),
    ];
    const map = (anchor: string | undefined, entries: [string, string][]): Val => ({ k: 'map', flow: false, ...(anchor ? { anchor } : {}), entries: entries.map(([key, v]) => ({ key, value: scalar(v) })) });
    return [
      { ...d, key: 'x-common', value: { k: 'map', flow: false, anchor: 'common', entries: [{ key: 'restart', value: scalar('unless-stopped') }, ...block(commonRo, commonTmpfs, commonEnv ? [['PUID', '1000'], ['TZ', 'UTC']] : null)] } },
      { key: 'x-envbase', value: map('envbase', [['PGID', '1000'], ['S6_VERBOSITY', '1']]) },
      { key: 'x-images', value: map(undefined, [['lsio', `&lsioimg ${LSIO_ALIAS}`], ['other', `&otherimg ${OTHER_ALIAS}`]]) },
      // A second block for merge lists (`<<: [*common, *common2]`): keys of the first one hide its.
      { key: 'x-common2', value: { k: 'map', flow: false, anchor: 'common2', entries: [{ key: 'stop_grace_period', value: scalar('30s') }, ...block(common2Ro, common2Tmpfs, common2Env ? [['PGID', '1001'], ['UMASK', '022'], ['TZ', 'Europe/Paris']] : null)] } },
      { key: 'x-envbase2', value: map('envbase2', [['PGID', '1001'], ['UMASK', '022'], ['TZ', 'UTC']]) },
      // Scalars for alias items in environment and tmpfs lists.
      { key: 'x-vars', value: map(undefined, [['tz', '&tz TZ=UTC'], ['puid', '&puid PUID=1000'], ['run', '&runx /run:exec'], ['tmp', '&tmpx /tmp']]) },
    ];
  });

/**
 * An `x-deep` extension block (at the top level, or in a service, where Compose ignores it too)
 * nesting `levels` collections, mappings and sequences in turn, in block or flow style.
 */
const deepBlock = fc.record({
  levels: fc.oneof(fc.integer({ min: 20, max: TOO_DEEP - 20 }), fc.integer({ min: TOO_DEEP + 20, max: TOO_DEEP + 60 })),
  flow: fc.boolean(),
  inService: fc.boolean(),
  at: fc.nat(),
});

function deepValue(levels: number, flow: boolean): Val {
  let value: Val = scalar('leaf');
  // Innermost first; the outermost (level 1) is a mapping.
  for (let level = levels; level >= 1; level--) value = level % 2 === 1 ? { k: 'map', flow, entries: [{ key: 'k', value }] } : { k: 'seq', flow, items: [{ value }] };
  return value;
}

/**
 * Arbitrary compose documents: 2- or 4-space indentation, indented or unindented sequences,
 * flow and block collections, comments in every position, blank lines, anchors, aliases (as
 * values and as sequence items) and merge keys (one block or a list), anchors on entries a
 * conversion removes, same-file `extends`, quoted keys and values, block scalars, CRLF, BOM,
 * `%YAML` directives, no final newline, values on the line after their key or dash, explicit
 * keys (`? KEY`), `x-deep` blocks on either side of the too-deep limit.
 */
export const composeDoc: fc.Arbitrary<GenDoc> = fc
  .record({
    unit: pick([2, 4]),
    seqIndent: pick(['unit', 'zero', 'two'] as const),
    crlf: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    finalNewline: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    bom: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    docStart: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    directive: fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: pick(['%YAML 1.1', '%YAML 1.2']) }),
    version: fc.boolean(),
    anchors: fc.boolean(),
    prelude,
    servicesDecor: decor,
    headComments: fc.array(pick(COMMENTS), { maxLength: 2 }),
    tailComments: fc.array(comment, { maxLength: 2 }),
    trailer: fc.boolean(),
    deep: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: deepBlock }),
  })
  .chain((r) => servicesArb(r.anchors).map((plans) => ({ r, plans })))
  .map(({ r, plans }): GenDoc => {
    // The deep block's outermost collection is at depth 1 at the top level, 3 in a service (services, service).
    const deep = r.deep && { entry: { key: 'x-deep', value: deepValue(r.deep.levels, r.deep.flow) } as Entry, depth: r.deep.levels + (r.deep.inService ? 2 : 0) };
    if (deep && r.deep!.inService) {
      const target = plans[r.deep!.at % plans.length]!;
      const service = target.entry.value as Extract<Val, { k: 'map' }>;
      const entries = [...service.entries];
      entries.splice(r.deep!.at % (entries.length + 1), 0, { ...deep.entry, value: deepValue(r.deep!.levels, r.deep!.flow || service.flow) });
      plans = plans.map((p) => (p === target ? { ...p, entry: { ...p.entry, value: { ...service, entries } } } : p));
    }
    const layout: Layout = { unit: r.unit, seqIndent: r.seqIndent === 'unit' ? r.unit : r.seqIndent === 'zero' ? 0 : 2, eol: r.crlf ? '\r\n' : '\n' };
    const lines: string[] = [];
    // A directive needs the `---` that ends the directives.
    if (r.directive) lines.push(r.directive);
    if (r.docStart || r.directive) lines.push('---');
    lines.push(...r.headComments.map((c) => `# ${c}`));
    if (r.version) lines.push(`version: "3.8"`, '');
    if (r.anchors) lines.push(...renderEntries(r.prelude, 0, layout));
    if (deep && !r.deep!.inService) lines.push(...renderEntry(deep.entry, 0, layout));
    lines.push(...renderEntry({ ...r.servicesDecor, key: 'services', value: { k: 'map', flow: false, entries: plans.map((p) => p.entry) } }, 0, layout));
    lines.push(...r.tailComments.map((c) => `${' '.repeat(c.indent ?? 0)}# ${c.text}`));
    if (r.trailer || (!r.finalNewline && (AVOID_KNOWN_BUGS.emptiedEnvAtEofWithoutNewline || AVOID_KNOWN_BUGS.nullTmpfsAtEofWithoutNewline))) lines.push('', 'volumes:', `${' '.repeat(layout.unit)}data:`, 'networks:', `${' '.repeat(layout.unit)}default:`, `${' '.repeat(layout.unit * 2)}name: net`);
    let text = lines.map((l) => l.replace(/[ ]+$/, '')).join(layout.eol);
    if (r.finalNewline) text += layout.eol;
    if (r.bom) text = `\uFEFF${text}`;
    return { text, services: plans.map((p) => p.service), ...(deep ? { depth: deep.depth } : {}) };
  });

/** A selection for a generated document: all, some names, an image glob, or --supported. */
export function selectionFor(doc: GenDoc): fc.Arbitrary<GenSelection> {
  const names = doc.services.map((s) => s.name);
  return fc.oneof(
    fc.constant<GenSelection>({ all: true }),
    fc.subarray(names, { minLength: 1 }).map((services): GenSelection => ({ services })),
    fc.constant<GenSelection>({ images: ['lscr.io/linuxserver/*'] }),
    fc.constant<GenSelection>({ supported: true }),
  );
}

/** A document with a selection, the input of every property. */
export const composeCase: fc.Arbitrary<{ doc: GenDoc; selection: GenSelection }> = composeDoc.chain((doc) => selectionFor(doc).map((selection) => ({ doc, selection })));
