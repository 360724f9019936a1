/**
 * Parses the `image:` value of a Compose service and recognises LinuxServer.io images in every
 * registry they are published to. Pure and allocation-light: the regexes below are compiled once.
 */

/**
 * A parsed image reference.
 *
 * - `raw`: the input exactly as given (not trimmed), for messages that quote the file.
 * - `lsioName`: the LinuxServer image name (`sonarr`, `changedetection.io`) when the reference is a
 *   LinuxServer image in one of its known registries, otherwise null.
 * - `registry`: the registry host as written (`lscr.io`, `localhost:5000`), or null when none is
 *   written (Docker Hub implied) or the reference does not follow the image reference grammar.
 * - `tag` / `digest`: as written without the `:` / `@` separator (`latest`, `sha256:…`), or null when
 *   absent or unparsable.
 * - `hasVariable`: the reference contains Compose interpolation (`${VAR}`, `${VAR:-x}`, `$VAR`);
 *   the other fields are then best-effort, since the real value is only known at run time.
 */
export interface ImageRef {
  raw: string;
  lsioName: string | null;
  registry: string | null;
  tag: string | null;
  digest: string | null;
  hasVariable: boolean;
}

// Compose interpolation. `$$` is an escaped literal `$` and is matched first so that `$$VAR` is not
// taken for a variable. `${…}` allows one level of nesting (`${A:-${B}}`), which Compose accepts.
const INTERPOLATION = /\$\$|\$\{[^{}]*(?:\$\{[^{}]*\}[^{}]*)*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

// Docker's reference grammar (distribution/reference), slightly lenient in path components. The
// first component is a registry only when it looks like a host: has a dot or a port, is
// `localhost`, or is a bracketed IPv6 address; this is how Docker tells `linuxserver/x` from
// `lscr.io/x`. Variables are masked before matching (see parseImageRef), so `:` inside `${A:-b}`
// cannot be mistaken for the tag separator.
const REFERENCE = new RegExp(
  '^(?:(?<registry>' +
    '(?:localhost|\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)(?::[0-9]+)?' +
    '|[A-Za-z0-9-]+:[0-9]+' +
    ')/)?' +
    '(?<path>[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*)' +
    '(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?' +
    '(?:@(?<digest>[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Fa-f0-9]{32,}))?$',
);

const NAME = '[a-z0-9][a-z0-9._-]*';
// The repository path of a LinuxServer image, per registry (the registry is checked separately).
const LSIO_PATH = new RegExp(`^linuxserver/(${NAME})$`);
const QUAY_PATH = new RegExp(`^linuxserver\\.io/(${NAME})$`);
// GitLab mirrors live at linuxserver.io/docker-NAME/NAME; both NAMEs must agree.
const GITLAB_PATH = new RegExp(`^linuxserver\\.io/docker-(${NAME})/\\1$`);

// Registries that serve the images under the `linuxserver/NAME` path (null: Docker Hub implied).
const LSIO_PATH_REGISTRIES: ReadonlySet<string | null> = new Set([
  null,
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'lscr.io',
  'ghcr.io',
]);

function lsioNameOf(registry: string | null, path: string): string | null {
  if (LSIO_PATH_REGISTRIES.has(registry)) return LSIO_PATH.exec(path)?.[1] ?? null;
  if (registry === 'quay.io') return QUAY_PATH.exec(path)?.[1] ?? null;
  if (registry === 'registry.gitlab.com') return GITLAB_PATH.exec(path)?.[1] ?? null;
  return null;
}

/**
 * Parses an image reference (surrounding whitespace ignored, case preserved: uppercase is invalid
 * in Docker image names and is not normalised away). Never throws; a reference that does not follow
 * the grammar yields null `registry`/`tag`/`digest`/`lsioName`.
 *
 * LinuxServer forms: `lscr.io/linuxserver/NAME`, `ghcr.io/linuxserver/NAME`, `linuxserver/NAME`
 * (optionally prefixed by `docker.io/`, `index.docker.io/` or `registry-1.docker.io/`),
 * `quay.io/linuxserver.io/NAME` and `registry.gitlab.com/linuxserver.io/docker-NAME/NAME`, each with
 * an optional `:tag` and/or `@digest`.
 *
 * Variables: a reference whose variables all sit inside the tag (`lscr.io/linuxserver/sonarr:${TAG}`)
 * still gets its `lsioName`, because the image is fixed and only its version varies, which does not
 * change what read-only needs. A variable anywhere else (registry, path, digest) makes `lsioName` null:
 * the image itself is unknown until run time.
 */
export function parseImageRef(image: string): ImageRef {
  const text = image.trim();

  // Mask each variable with same-length filler so the grammar can be matched on the masked text
  // while offsets still index into the original.
  const variables: Array<[start: number, end: number]> = [];
  const masked = text.replace(INTERPOLATION, (match: string, offset: number) => {
    if (match === '$$') return match; // a literal `$`: not valid in a reference, fails the grammar
    variables.push([offset, offset + match.length]);
    return 'x'.repeat(match.length);
  });
  const hasVariable = variables.length > 0;

  const groups = REFERENCE.exec(masked)?.groups;
  if (!groups) {
    return { raw: image, lsioName: null, registry: null, tag: null, digest: null, hasVariable };
  }
  // Each group follows the one before it after a one-character separator (`REGISTRY/PATH:TAG@DIGEST`),
  // so offsets come from lengths: the regex `d` flag (match indices) takes V8's slow path.
  let end = -1;
  const span = (group: string | undefined): [number, number] | undefined => (group === undefined ? undefined : [end + 1, (end += 1 + group.length)]);
  const [registrySpan, pathSpan, tagSpan, digestSpan] = [span(groups['registry']), span(groups['path']), span(groups['tag']), span(groups['digest'])];
  const slice = (at: [number, number] | undefined): string | null => (at ? text.slice(at[0], at[1]) : null);
  const registry = slice(registrySpan);
  const path = slice(pathSpan) ?? '';
  const tag = slice(tagSpan);
  const digest = slice(digestSpan);

  const onlyInTag = variables.every(([start, end]) => tagSpan !== undefined && start >= tagSpan[0] && end <= tagSpan[1]);
  const lsioName = onlyInTag ? lsioNameOf(registry, path) : null;

  return { raw: image, lsioName, registry, tag, digest, hasVariable };
}

/** The reference as written without its `:tag` and `@digest` (`lscr.io/linuxserver/sonarr`). */
export function nameWithoutTag(ref: ImageRef): string {
  let name = ref.raw.trim();
  if (ref.digest !== null && name.endsWith(`@${ref.digest}`)) name = name.slice(0, -ref.digest.length - 1);
  if (ref.tag !== null && name.endsWith(`:${ref.tag}`)) name = name.slice(0, -ref.tag.length - 1);
  return name;
}

// A name as Docker reads it once tag and digest are gone: optional registry, then the path.
const NAME_ONLY = /^(?:[^/]+\/)?[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*$/;
// Docker Hub, by every name it is written with.
const DOCKER_HUB: ReadonlySet<string | null> = new Set([null, 'docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The image's name as Docker resolves it, without tag or digest: Docker Hub names get
 * `docker.io/` and official images `library/` (`nginx` → `docker.io/library/nginx`,
 * `linuxserver/sonarr` → `docker.io/linuxserver/sonarr`). Null when the name holds a variable or
 * does not follow the grammar.
 */
export function normalizedName(ref: ImageRef): string | null {
  const name = nameWithoutTag(ref);
  if (name.includes('$') || !NAME_ONLY.test(name)) return null;
  if (ref.registry !== null && !name.startsWith(`${ref.registry}/`)) return null;
  const path = ref.registry === null ? name : name.slice(ref.registry.length + 1);
  if (!DOCKER_HUB.has(ref.registry)) return `${ref.registry}/${path}`;
  return `docker.io/${path.includes('/') ? path : `library/${path}`}`;
}

/** The names LinuxServer publishes one image under, by registry (`lscr.io/linuxserver/NAME`…). */
const LSIO_FORMS = ['lscr.io/linuxserver/', 'ghcr.io/linuxserver/', 'docker.io/linuxserver/', 'linuxserver/'];

/**
 * Every spelling of the image a reference names, for matching what users write: as written, without
 * tag and digest, normalised (`docker.io/library/nginx`) and Docker Hub's short forms (`nginx`,
 * `library/nginx`), and for a LinuxServer image each registry it is published to; each name also
 * with the reference's tag, when it has one.
 */
export function referenceForms(ref: ImageRef): string[] {
  const raw = ref.raw.trim();
  const names = new Set<string>([raw]);
  const bases = new Set<string>([nameWithoutTag(ref)]);
  const normal = normalizedName(ref);
  if (normal !== null) {
    bases.add(normal);
    if (normal.startsWith('docker.io/')) {
      const path = normal.slice('docker.io/'.length);
      bases.add(path);
      if (path.startsWith('library/')) bases.add(path.slice('library/'.length));
    }
  }
  if (ref.lsioName) for (const prefix of LSIO_FORMS) bases.add(`${prefix}${ref.lsioName}`);
  for (const base of bases) {
    names.add(base);
    if (ref.tag !== null) names.add(`${base}:${ref.tag}`);
  }
  return [...names];
}
