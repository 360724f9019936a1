import type { LocatedService } from './locate.js';
import { referenceForms } from '../knowledge/image-ref.js';

/** Which services to convert. With several criteria, a service matching any of them is selected. */
export interface Selection {
  /** Service names. */
  services?: readonly string[];
  /** Every service of the file. */
  all?: boolean;
  /** Image globs: `*` matches any run of characters, `?` one (`lscr.io/linuxserver/*`). */
  images?: readonly string[];
  /** Every LinuxServer image that declares read-only support. */
  supported?: boolean;
}

/** True when the selection names no criterion at all (a usage error for the CLI). */
export function isEmptySelection(selection: Selection): boolean {
  return !selection.all && !selection.supported && !selection.services?.length && !selection.images?.length;
}

const globCache = new Map<string, RegExp>();
function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    globCache.set(glob, re);
  }
  return re;
}

/**
 * Whether `service` is selected. An image glob matches the reference as written, without its tag
 * or digest, or any other spelling of the same image (see {@link referenceForms}):
 * `lscr.io/linuxserver/*` matches `linuxserver/sonarr`, `docker.io/library/*` matches `nginx`.
 */
export function isSelected(service: Pick<LocatedService, 'name' | 'imageRef' | 'knowledge'>, selection: Selection): boolean {
  if (selection.all) return true;
  if (selection.services?.includes(service.name)) return true;
  if (selection.supported && service.knowledge?.readonlySupported) return true;
  if (service.imageRef && selection.images?.length) {
    const forms = referenceForms(service.imageRef);
    return selection.images.some((glob) => forms.some((form) => globToRegExp(glob).test(form)));
  }
  return false;
}

/**
 * A LinuxServer service that `--supported` leaves out because LinuxServer has not tested its image
 * read-only (and nothing else selects it): the user is told how many, and how to convert them.
 */
export function skippedAsUntested(service: Pick<LocatedService, 'name' | 'imageRef' | 'knowledge'>, selection: Selection): boolean {
  return Boolean(selection.supported && service.imageRef?.lsioName && !service.knowledge?.readonlySupported && !isSelected(service, selection));
}

/**
 * The variables that LinuxServer's init ignores under a read-only root (the facts doc), and
 * `UMASK_SET`, the legacy name of `UMASK` that older files still carry.
 */
export const DEFAULT_STRIP: readonly string[] = ['PUID', 'PGID', 'UMASK', 'UMASK_SET', 'DOCKER_MODS', 'RUN_BANNED_MODS', 'INSTALL_PACKAGES', 'INSTALL_PIP_PACKAGES'];
/** Every `DOCKER_MODS_*` variable configures a mod, and mods do not run. */
const STRIP_PREFIX = 'DOCKER_MODS_';

/** Which environment variables to strip from one service. */
export interface StripPolicy {
  has(name: string): boolean;
  readonly empty: boolean;
  /** Equal ids mean equal policies: services with equal ids may share an edited node. */
  readonly id: string;
}

/** How the user adjusted the default list: `--keep-env` and `--strip-env`. */
export interface EnvAdjustments {
  keepEnv?: readonly string[];
  stripEnv?: readonly string[];
}

/**
 * The strip policy for a service: LinuxServer images lose the defaults (less `keepEnv`);
 * every selected service loses the names the user added with `stripEnv`. Names are exact
 * and case-sensitive (`puid`, `PUID_FILE`, `MY_PGID` stay).
 */
export function stripPolicy(lsio: boolean, adjust: EnvAdjustments): StripPolicy {
  // A run asks for the same two policies for every file: each is made once (policies never change).
  const key = JSON.stringify([lsio, adjust.keepEnv ?? [], adjust.stripEnv ?? []]);
  let policy = policyCache.get(key);
  if (!policy) policyCache.set(key, (policy = makeStripPolicy(lsio, adjust)));
  return policy;
}

const policyCache = new Map<string, StripPolicy>();

function makeStripPolicy(lsio: boolean, adjust: EnvAdjustments): StripPolicy {
  const keep = new Set(adjust.keepEnv ?? []);
  const names = new Set<string>([...(lsio ? DEFAULT_STRIP : []), ...(adjust.stripEnv ?? [])].filter((n) => !keep.has(n)));
  const prefix = lsio && !keep.has(`${STRIP_PREFIX}*`);
  return {
    has: (name) => !keep.has(name) && (names.has(name) || (prefix && name.startsWith(STRIP_PREFIX))),
    empty: names.size === 0 && !prefix,
    id: `${[...names].sort().join(',')}|${prefix}|${[...keep].sort().join(',')}`,
  };
}
