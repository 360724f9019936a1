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
}

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
const KEPT = ['TZ', 'PUID_FILE', 'MY_PGID', 'puid', 'WEBUI_PORT', 'FILE__PASSWORD', 'S6_VERBOSITY', 'UMASK_FILE'];
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

function envArb(ctx: Ctx, envAnchor: string | null): fc.Arbitrary<Val> {
  const names = fc.uniqueArray(fc.oneof(pick(STRIPPED), pick(KEPT)), { minLength: 1, maxLength: 6 });
  return fc
    .record({
      names,
      values: fc.array(fc.option(pick(VALUES), { freq: 5 }), { minLength: 6, maxLength: 6 }),
      form: ctx.flow ? pick(['flow-list', 'flow-map'] as const) : pick(['list', 'map', 'list', 'map', 'flow-list', 'flow-map'] as const),
      multiline: fc.boolean(),
      decors: fc.array(decor, { minLength: 6, maxLength: 6 }),
      quotes: fc.array(fc.nat({ max: 5 }), { minLength: 6, maxLength: 6 }),
      mergeBase: fc.boolean(),
    })
    .chain(({ names, values, form, multiline, decors, quotes, mergeBase }) => {
      const flow = form.startsWith('flow');
      if (mergeBase && ctx.anchorsOk && !flow && form === 'map' && AVOID_KNOWN_BUGS.strippedOverMergedStripped) {
        names = names.filter((n) => n !== 'PGID');
        if (names.length === 0) names = ['TZ'];
      }
      if (AVOID_KNOWN_BUGS.commentsInEmptiedEnv && names.every((n) => STRIPPED.includes(n))) decors = decors.map((d) => ({ ...d, before: [] }));
      if (envAnchor && AVOID_KNOWN_BUGS.blankBeforeEmptiedAnchoredEnv) decors[0] = { ...decors[0], blankBefore: 0, before: [] };
      const useDecor = !flow;
      if (form.endsWith('list')) {
        const items = names.map((name, i) => {
          const value = values[i];
          const text = value === null ? name : `${name}=${value}`;
          return quoteValue(text, flow).map((t): Item => ({ ...(useDecor ? decors[i] : {}), value: scalar(quotes[i] === 0 ? text.replace(/ /g, '_') : t) }));
        });
        return fc.tuple(...items).map((list): Val => ({ k: 'seq', items: list, flow, multiline: flow && multiline, ...(envAnchor && !flow ? { anchor: envAnchor } : {}) }));
      }
      const entries = names.map((name, i) => {
        const value = values[i];
        return fc.tuple(quoteKey(name), value === null || (flow && value === null) ? fc.constant(null) : quoteValue(value, flow)).map(([key, v]): Entry => ({
          ...(useDecor ? decors[i] : {}),
          key,
          value: v === null ? (flow ? scalar("''") : { k: 'null' }) : scalar(v),
        }));
      });
      return fc.tuple(...entries).map((list): Val => {
        const all = mergeBase && ctx.anchorsOk && !flow ? [{ key: '<<', value: { k: 'alias', name: 'envbase' } } as Entry, ...list] : list;
        return { k: 'map', entries: all, flow, multiline: flow && multiline, ...(envAnchor && !flow ? { anchor: envAnchor } : {}) };
      });
    });
}

const TMPFS_ITEMS = ['/tmp', '/run', '/run:noexec,size=10m', '/run:exec', '/var/cache:size=1m', '/run/', '/tmp:mode=1777', '/run:size=64m'];

function tmpfsArb(ctx: Ctx): fc.Arbitrary<Val> {
  const item = pick(TMPFS_ITEMS).chain((t) => quoteValue(t, true));
  return fc.oneof(
    item.map(scalar),
    ...(ctx.flow || AVOID_KNOWN_BUGS.nullTmpfs || AVOID_KNOWN_BUGS.nullTmpfsNeedingTmp ? [] : [fc.constant<Val>({ k: 'null' })]),
    fc.record({ items: fc.array(item, { minLength: 1, maxLength: 3 }), flow: ctx.flow ? fc.constant(true) : fc.boolean(), decors: fc.array(decor, { minLength: 3, maxLength: 3 }) }).map(
      ({ items, flow, decors }): Val => ({ k: 'seq', flow, items: items.map((t, i) => ({ ...(flow ? {} : decors[i]), value: scalar(t) })) }),
    ),
  );
}

function readOnlyArb(ctx: Ctx): fc.Arbitrary<Val> {
  const values = pick(['false', 'true', 'True', 'no', '"false"', "'${READ_ONLY:-false}'", '"${RO}"', 'FALSE']).map(scalar);
  return ctx.flow ? values : fc.oneof(values, fc.constant<Val>({ k: 'null' }));
}

function volumesArb(ctx: Ctx): fc.Arbitrary<Val> {
  const short = pick(['./config:/config', '/srv/data:/data:ro', 'data:/var/lib/data', '"./a b:/c"']).map((t): Val => scalar(t));
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
    fc.constant<Entry>({
      key: 'labels',
      value: { k: 'map', flow: false, entries: [{ key: '"traefik.enable"', value: scalar('"true"') }, { key: 'com.example.tmpfs', value: scalar('no') }] },
    }),
    fc.constant<Entry>({ key: 'env_file', value: scalar('.env') }),
  ];
}

interface ServicePlan {
  service: GenService;
  entry: Entry;
  envAnchor: string | null;
}

function serviceArb(name: string, index: number, anchorsOk: boolean, earlierEnvAnchors: fc.Arbitrary<string | null>): fc.Arbitrary<ServicePlan> {
  return fc
    .record({
      flow: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      multiline: fc.boolean(),
      lsio: fc.boolean(),
      lsioImage: pick(LSIO_IMAGES),
      otherImage: pick(OTHER_IMAGES),
      imageForm: pick(['plain', 'plain', 'plain', 'quoted', 'none', 'alias'] as const),
      merge: anchorsOk ? fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) : fc.constant(false),
      hasEnv: fc.nat({ max: 4 }),
      envAlias: earlierEnvAnchors,
      anchorEnv: fc.boolean(),
      hasRo: fc.nat({ max: 3 }),
      hasTmpfs: fc.nat({ max: 3 }),
      decors: fc.array(decor, { minLength: 12, maxLength: 12 }),
      nameKey: quoteKey(name),
      serviceDecor: decor,
    })
    .chain((r) => {
      const ctx: Ctx = { flow: r.flow, anchorsOk };
      const image = r.imageForm === 'none' ? null : r.lsio ? r.lsioImage[0] : r.otherImage;
      const lsio = image !== null && r.lsio;
      const envAnchor = r.anchorEnv && anchorsOk ? `env${index}` : null;
      const aliased = image !== null && r.imageForm === 'alias' && anchorsOk;
      const parts: fc.Arbitrary<Entry | null>[] = [
        image === null
          ? fc.constant<Entry>({ key: 'build', value: scalar('.') })
          : r.imageForm === 'alias' && anchorsOk
            ? fc.constant<Entry>({ key: 'image', value: { k: 'alias', name: r.lsio ? 'lsioimg' : 'otherimg' } })
            : quoteValue(image, r.flow).map((t): Entry => ({ key: 'image', value: scalar(r.imageForm === 'quoted' ? `"${image}"` : t) })),
        r.hasEnv === 0
          ? fc.constant(null)
          : r.envAlias && r.hasEnv === 1 && !r.flow
            ? fc.constant<Entry>({ key: 'environment', value: { k: 'alias', name: r.envAlias } })
            : envArb(ctx, envAnchor).map((value): Entry => ({ key: 'environment', value })),
        r.hasRo === 0 ? readOnlyArb(ctx).map((value): Entry => ({ key: 'read_only', value })) : fc.constant(null),
        r.hasTmpfs === 0 ? tmpfsArb(ctx).map((value): Entry => ({ key: 'tmpfs', value })) : fc.constant(null),
        ...otherKeys(ctx).map((arb) => fc.option(arb, { freq: 2 })),
      ];
      return fc.tuple(fc.tuple(...parts), fc.array(fc.integer(), { minLength: 16, maxLength: 16 })).chain(([entries, order]) => {
        const present = entries.filter(
          (e): e is Entry => e !== null && !(r.merge && AVOID_KNOWN_BUGS.mergedKeyOverriddenByUnselected && ['read_only', 'tmpfs', 'environment'].includes(e.key)),
        );
        // A permutation of the keys, with quoted keys and comments here and there.
        const shuffled = present.map((e, i) => ({ e, o: order[i]! })).sort((a, b) => a.o - b.o).map((x) => x.e);
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
          const all = r.merge && !(r.flow && AVOID_KNOWN_BUGS.flowAndBlockEditSharedTmpfs) ? [{ key: '<<', value: { k: 'alias', name: 'common' } } as Entry, ...list] : list;
          const usedEnvAnchor = all.some((e) => e.value.k === 'map' || e.value.k === 'seq' ? (e.value as { anchor?: string }).anchor === envAnchor : false);
          const value: Val = { k: 'map', flow: r.flow, multiline: r.flow && r.multiline, entries: all.length ? all : [{ key: 'image', value: scalar('busybox') }] };
          return {
            service: aliased
              ? { name, image: r.lsio ? LSIO_ALIAS : OTHER_ALIAS, lsio, needsTmp: false, needsTmpfs: r.lsio ? [] : otherImageTmpfs(OTHER_ALIAS), run: r.lsio ? 'exec' : otherImageRun(OTHER_ALIAS) }
              : { name, image, lsio, needsTmp: lsio && r.lsioImage[1], needsTmpfs: lsio ? [] : otherImageTmpfs(image), run: lsio ? 'exec' : otherImageRun(image) },
            entry: { ...r.serviceDecor, key: r.nameKey, value },
            envAnchor: usedEnvAnchor ? envAnchor : null,
          };
        });
      });
    });
}

const LSIO_ALIAS = 'lscr.io/linuxserver/sonarr:latest';
const OTHER_ALIAS = 'nginx:1.25';
const NAMES = ['web', 'db', 'sonarr', 'radarr', 'app', 'svc_1', 'my-service', 'constructor', '__proto__'];

function servicesArb(anchorsOk: boolean): fc.Arbitrary<ServicePlan[]> {
  return fc.uniqueArray(pick(NAMES), { minLength: 1, maxLength: 4 }).chain((names) => {
    // Build one at a time so a later service may alias an earlier service's environment.
    let acc: fc.Arbitrary<ServicePlan[]> = fc.constant([]);
    names.forEach((name, index) => {
      acc = acc.chain((done) => {
        const anchors = done.map((p) => p.envAnchor).filter((a): a is string => a !== null);
        const alias = anchors.length && anchorsOk ? fc.option(pick(anchors), { freq: 2 }) : fc.constant(null);
        return serviceArb(name, index, anchorsOk, alias).map((plan) => [...done, plan]);
      });
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
    decor,
  })
  .map(({ commonRo, commonTmpfs, commonEnv, decor: d }) => {
    const common: Entry[] = [{ key: 'restart', value: scalar('unless-stopped') }];
    if (commonRo) common.push({ key: 'read_only', value: scalar(commonRo) });
    if (commonTmpfs) common.push({ key: 'tmpfs', value: scalar(commonTmpfs) });
    if (commonEnv) common.push({ key: 'environment', value: { k: 'map', flow: false, entries: [{ key: 'PUID', value: scalar('1000') }, { key: 'TZ', value: scalar('UTC') }] } });
    return [
      { ...d, key: 'x-common', value: { k: 'map', flow: false, anchor: 'common', entries: common } },
      { key: 'x-envbase', value: { k: 'map', flow: false, anchor: 'envbase', entries: [{ key: 'PGID', value: scalar('1000') }, { key: 'S6_VERBOSITY', value: scalar('1') }] } },
      { key: 'x-images', value: { k: 'map', flow: false, entries: [{ key: 'lsio', value: scalar(`&lsioimg ${LSIO_ALIAS}`) }, { key: 'other', value: scalar(`&otherimg ${OTHER_ALIAS}`) }] } },
    ];
  });

/**
 * Arbitrary compose documents: 2- or 4-space indentation, indented or unindented sequences,
 * flow and block collections, comments in every position, blank lines, anchors, aliases and
 * merge keys, quoted keys and values, block scalars, CRLF, BOM, no final newline.
 */
export const composeDoc: fc.Arbitrary<GenDoc> = fc
  .record({
    unit: pick([2, 4]),
    seqIndent: pick(['unit', 'zero', 'two'] as const),
    crlf: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    finalNewline: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    bom: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    docStart: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    version: fc.boolean(),
    anchors: fc.boolean(),
    prelude,
    servicesDecor: decor,
    headComments: fc.array(pick(COMMENTS), { maxLength: 2 }),
    tailComments: fc.array(comment, { maxLength: 2 }),
    trailer: fc.boolean(),
  })
  .chain((r) => servicesArb(r.anchors).map((plans) => ({ r, plans })))
  .map(({ r, plans }): GenDoc => {
    const layout: Layout = { unit: r.unit, seqIndent: r.seqIndent === 'unit' ? r.unit : r.seqIndent === 'zero' ? 0 : 2, eol: r.crlf ? '\r\n' : '\n' };
    const lines: string[] = [];
    if (r.docStart) lines.push('---');
    lines.push(...r.headComments.map((c) => `# ${c}`));
    if (r.version) lines.push(`version: "3.8"`, '');
    if (r.anchors) lines.push(...renderEntries(r.prelude, 0, layout));
    lines.push(...renderEntry({ ...r.servicesDecor, key: 'services', value: { k: 'map', flow: false, entries: plans.map((p) => p.entry) } }, 0, layout));
    lines.push(...r.tailComments.map((c) => `${' '.repeat(c.indent ?? 0)}# ${c.text}`));
    if (r.trailer || (!r.finalNewline && (AVOID_KNOWN_BUGS.emptiedEnvAtEofWithoutNewline || AVOID_KNOWN_BUGS.nullTmpfsAtEofWithoutNewline))) lines.push('', 'volumes:', `${' '.repeat(layout.unit)}data:`, 'networks:', `${' '.repeat(layout.unit)}default:`, `${' '.repeat(layout.unit * 2)}name: net`);
    let text = lines.map((l) => l.replace(/[ ]+$/, '')).join(layout.eol);
    if (r.finalNewline) text += layout.eol;
    if (r.bom) text = `\uFEFF${text}`;
    return { text, services: plans.map((p) => p.service) };
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
