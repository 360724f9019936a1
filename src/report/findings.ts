// What code scanning and CI annotations report: the rules (one per kind of finding, one per
// warning code) and each file's findings, shared by the SARIF and GitHub Actions formats.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Change, ChangeCode, WarningCode } from '../plan/diagnostics.js';
import type { FileReport } from './report.js';

/** How serious a finding is, in SARIF's words (GitHub's `::error`, `::warning`, `::notice`). */
export type FindingLevel = 'error' | 'warning' | 'note';

/** A kind of finding, with the help a reader needs to act on it. */
export interface Rule {
  /** Stable id: a kind of change below, or a warning code. */
  id: string;
  /** A few words, for annotation titles. */
  title: string;
  /** One sentence: what was found. */
  description: string;
  /** What it means and what to do. */
  help: string;
  /** The level when nothing raises it (a service left writable is an error under `--check`). */
  level: FindingLevel;
}

/** The kinds of change a service needs, one rule each; a service's finding takes the first that applies. */
const CHANGE_RULES = [
  {
    id: 'writable-root',
    title: 'not read-only',
    description: 'The service runs with a writable root filesystem (no read_only: true).',
    help: 'A read-only root filesystem stops a compromised or buggy container from changing its own binaries and configuration. LinuxServer images support it once /run is a tmpfs with exec and the variables that remap users or install mods are gone: `ro-convert --write` makes exactly the changes listed (the suggested fix).',
    level: 'warning',
  },
  {
    id: 'tmpfs-missing',
    title: 'tmpfs /run with exec missing',
    description: 'The service is read-only, or about to be, without /run as a tmpfs with exec (or without another tmpfs its image needs).',
    help: "A read-only LinuxServer container needs /run as a tmpfs with exec (the s6 supervisor runs its service scripts there; Docker mounts tmpfs noexec by default), and some images need /tmp too (their readme says so). The suggested fix adds them as `ro-convert --write` would.",
    level: 'warning',
  },
  {
    id: 'obsolete-env',
    title: 'variables that no longer apply',
    description: 'The service sets variables that have no effect read-only (PUID, PGID, UMASK, DOCKER_MODS...).',
    help: "A read-only LinuxServer container skips the user remapping, the umask and Docker mods, so these variables only mislead whoever reads the file. The suggested fix removes them as `ro-convert --write` would; keep one with `--keep-env NAME`.",
    level: 'note',
  },
] as const satisfies readonly Rule[];

type ChangeRuleId = (typeof CHANGE_RULES)[number]['id'];

const RULE_OF_CHANGE: Record<ChangeCode, ChangeRuleId> = {
  'read-only-added': 'writable-root',
  'read-only-set': 'writable-root',
  'read-only-overridden': 'writable-root',
  'tmpfs-added': 'tmpfs-missing',
  'tmpfs-to-list': 'tmpfs-missing',
  'tmpfs-run-exec': 'tmpfs-missing',
  'tmpfs-run-merged': 'tmpfs-missing',
  'tmpfs-overridden': 'tmpfs-missing',
  'env-removed': 'obsolete-env',
  'env-emptied': 'obsolete-env',
  'env-overridden': 'obsolete-env',
  'shared-copied': 'writable-root',
};

/** One rule per warning code, with the level it is reported at. */
const WARNING_RULES: Record<WarningCode, Omit<Rule, 'id'>> = {
  'read-only-variable': {
    title: 'read_only set by a variable',
    description: 'read_only is a variable, known only at run time; ro-convert left it as it is.',
    help: 'Make sure the variable is true where the service runs, or write read_only: true.',
    level: 'warning',
  },
  'run-tmpfs-volume': {
    title: '/run is a tmpfs volume',
    description: '/run is a tmpfs volume in long syntax, which cannot carry exec; ro-convert left it as it is.',
    help: 'Replace the volume with `tmpfs: [/run:exec]`: the s6 supervisor of LinuxServer images runs scripts from /run.',
    level: 'warning',
  },
  'not-lsio-tested': {
    title: 'not tested read-only by LinuxServer',
    description: 'The LinuxServer image does not declare read-only support in its readme, or is missing from ro-convert\'s table.',
    help: 'LinuxServer supports read-only only for the images it has tested: try the service read-only before you rely on it.',
    level: 'warning',
  },
  'unknown-image': {
    title: 'image unknown to ro-convert',
    description: 'The image is in neither of ro-convert\'s tables (LinuxServer\'s, companions\'), or the service names no image in this file: where it writes is unknown.',
    help: 'Run it writable and read `docker diff CONTAINER`, or run `ro-convert preflight`, to see which paths need a tmpfs or a volume.',
    level: 'warning',
  },
  'companion-image': {
    title: 'what the companion image needs',
    description: 'The image is in the companion table: what it needs read-only, with the confidence and source of the record.',
    help: 'Check the record\'s source; facts marked inferred or observed were not documented by the image.',
    level: 'note',
  },
  'image-breaks': {
    title: 'image known to break read-only',
    description: 'The image is known to break with a read-only root filesystem (in this configuration).',
    help: 'Leave this service writable, or remove what breaks it (named in the message) first.',
    level: 'warning',
  },
  'umask-ignored': {
    title: 'UMASK no longer applies',
    description: 'UMASK (or UMASK_SET) was removed: read-only skips LinuxServer\'s umask wrapper.',
    help: 'Files are created with the default umask (022); set the permissions of shared data another way.',
    level: 'warning',
  },
  'mod-variables': {
    title: 'variables of a mod that no longer runs',
    description: 'A Docker mod that no longer runs read-only has its own variables set; they are kept, set for nothing.',
    help: 'Remove the variables, or keep the service writable if it needs the mod.',
    level: 'note',
  },
  swarm: {
    title: 'swarm cannot run this read-only',
    description: 'docker stack deploy ignores service-level tmpfs and cannot mount a tmpfs with exec.',
    help: 'Run the service with docker compose, or keep it writable under swarm.',
    level: 'warning',
  },
  'image-caveat': {
    title: 'read-only caveat of the image',
    description: 'The image\'s readme states a read-only caveat.',
    help: 'Read the caveat (quoted in the message) and decide whether the service can live with it.',
    level: 'warning',
  },
  'image-variable': {
    title: 'image only known at run time',
    description: 'The image name holds a variable, so nothing LinuxServer-specific was done.',
    help: 'If it is a LinuxServer image, its PUID, PGID, DOCKER_MODS... were not stripped and its caveats not checked.',
    level: 'note',
  },
  'non-root-user': {
    title: 'user: with read_only',
    description: 'The LinuxServer service also sets user: (other than root).',
    help: 'LinuxServer\'s init says this combination "is not supported and may result in unwanted behaviour".',
    level: 'warning',
  },
  'custom-services': {
    title: 'custom services do not run',
    description: 'A volume is mounted at or inside /custom-services.d.',
    help: 'Custom services do not run in a read-only LinuxServer container.',
    level: 'warning',
  },
  'custom-init': {
    title: 'custom init scripts limited',
    description: 'A volume is mounted at or inside /custom-cont-init.d.',
    help: 'Custom init scripts are limited in a read-only LinuxServer container.',
    level: 'warning',
  },
  'mods-disabled': {
    title: 'Docker mods no longer run',
    description: 'DOCKER_MODS is set: the mods it names will not run read-only.',
    help: 'Bake what the mods do into the image, or keep the service writable.',
    level: 'warning',
  },
  'uid-changes': {
    title: 'file owner changes',
    description: 'PUID or PGID is set to something other than 911, and ids are no longer remapped.',
    help: 'The app runs as 911:911. LinuxServer\'s init chowns /config to 911:911 at every start; the other writable mounts are not chowned, so give 911 write permission there (chown, or a group with write permission).',
    level: 'warning',
  },
  'env-file': {
    title: 'env_file not edited',
    description: 'The service reads an env_file, which ro-convert does not edit.',
    help: 'Remove the variables named in the message from that file (or check it, when it could not be read).',
    level: 'warning',
  },
  extends: {
    title: 'extends',
    description: 'The service extends another service whose settings Compose merges back in.',
    help: 'Convert the base service too, or remove from it what the message names.',
    level: 'warning',
  },
  'override-undoes': {
    title: 'override file undoes the conversion',
    description: 'The override file Compose merges over this file undoes part of the conversion.',
    help: 'Remove from the override file what the message names.',
    level: 'warning',
  },
  'moot-setting': {
    title: 'setting without effect',
    description: 'A setting that the image\'s read-only caveats make moot is set.',
    help: 'Remove it, or keep the service writable if you need it.',
    level: 'note',
  },
  'mount-path-variable': {
    title: 'mount path only known at run time',
    description: 'A mount target holds a variable without a default, and may be a path the image needs under a read-only root, so nothing was added there.',
    help: 'Give the variable a default (${VAR:-/path}) so the path can be read, or check that the path it gets at run time is writable.',
    level: 'warning',
  },
};

/** Every rule, the kinds of change first, then the warnings (the order of a SARIF rules array). */
export const RULES: readonly Rule[] = [
  ...CHANGE_RULES,
  ...Object.entries(WARNING_RULES).map(([id, rule]) => ({ id, ...rule })),
];

/** Something a report says about one service, at one line. */
export interface Finding {
  rule: Rule;
  level: FindingLevel;
  service: string;
  line: number;
  /** 1-based column, when the finding is about the service's key. */
  column: number | null;
  /** One line: what was found. */
  message: string;
  /** For a service not read-only yet: the changes of its fix, each at its line. */
  changes: readonly Change[];
}

/**
 * A file's findings: one per selected service that needs changes, at the service's key (its
 * rule is the first kind of change it needs: not read-only, then tmpfs, then variables), then
 * one per warning (at the line it names, else at the service's key). A service left writable
 * is an error under `--check` (it fails the gate), otherwise its rule's level.
 */
export function fileFindings(report: FileReport, mode: 'preview' | 'write' | 'check'): Finding[] {
  const findings: Finding[] = [];
  for (const service of report.services) {
    if (service.changes.length === 0) continue;
    const kinds = new Set(service.changes.map((change) => RULE_OF_CHANGE[change.code]));
    const rule = CHANGE_RULES.find((r) => kinds.has(r.id))!;
    const message = `service ${service.name}: ${rule.title}; the fix: ${service.changes.map((c) => c.message).join('; ')}`;
    findings.push({ rule, level: mode === 'check' ? 'error' : rule.level, service: service.name, line: service.line, column: service.column, message, changes: service.changes });
  }
  for (const service of report.services) {
    for (const warning of service.warnings) {
      const rule = { id: warning.code, ...WARNING_RULES[warning.code] };
      const at = warning.line ?? service.line;
      findings.push({ rule, level: rule.level, service: service.name, line: at, column: warning.line === null ? service.column : null, message: `service ${service.name}: ${warning.message}`, changes: [] });
    }
  }
  return findings;
}

/**
 * A file's path relative to `cwd`, with `/` separators, as code scanning and annotations name
 * files; null for standard input and for files outside `cwd`.
 */
export function workspacePath(path: string, cwd: string): string | null {
  if (path === '-') return null;
  const rel = relative(cwd, resolve(cwd, path));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}
