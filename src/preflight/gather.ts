// Asks the engine, changing nothing, what a service's containers wrote and what they mount,
// and turns it into a classification with tmpfs advice (the pure rules are in classify.ts).
import { resolve } from 'node:path';
import { CallFailed } from '../docker/engine.js';
import type { ContainerInfo, DockerEngine, FsChange } from '../docker/engine.js';
import type { TarEntry } from '../docker/tar.js';
import { parseImageRef } from '../knowledge/image-ref.js';
import { afterFinding } from './after.js';
import type { AfterFinding } from './after.js';
import { classifyWrites, resolveUser, tmpfsAdvice } from './classify.js';
import type { Classification, ProposedMount, TmpfsAdvice } from './classify.js';

/** Compose's labels on the containers it creates. */
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
} as const;

/** Where to look for a service's containers. */
export interface ContainerQuery {
  /** The compose file's absolute path (matched against the config-files label). */
  file: string;
  service: string;
  /** A project name: take its containers whatever files created them. */
  project?: string;
}

/**
 * The containers Compose created for a service from this file: by the service label, then
 * the project label (when given) or the config-files label (paths relative to the working-dir
 * label in docker-compose 1.x, absolute in Compose v2).
 */
export async function findContainers(engine: DockerEngine, query: ContainerQuery): Promise<ContainerInfo[]> {
  const labels: Record<string, string> = { [LABEL.service]: query.service };
  if (query.project) labels[LABEL.project] = query.project;
  const infos = await engine.inspectContainers(await engine.containerIds(labels));
  if (query.project) return infos;
  return infos.filter((info) => configFilesOf(info).includes(query.file));
}

/** The absolute compose file paths a container was created from, per its labels. */
export function configFilesOf(info: ContainerInfo): string[] {
  const labels = info.Config.Labels ?? {};
  const dir = labels[LABEL.workingDir] ?? '/';
  return (labels[LABEL.configFiles] ?? '').split(',').filter(Boolean).map((file) => resolve(dir, file));
}

/** A proposed tmpfs with what it is given and what it hides. */
export interface TmpfsProposal extends ProposedMount {
  kind: 'tmpfs';
  advice: TmpfsAdvice;
}

/** What preflight found for one service. */
export interface ServiceFindings {
  service: string;
  containers: string[];
  classification: Classification;
  tmpfs: TmpfsProposal[];
  volumes: ProposedMount[];
  /** Facts worth telling (s6 entrypoint, already read-only...). */
  notes: string[];
}

/**
 * Reads the containers' writes, mounts and image config and classifies the writes.
 * @param conversionTmpfs tmpfs paths the converted service mounts
 */
export async function gatherFindings(engine: DockerEngine, service: string, containers: readonly ContainerInfo[], conversionTmpfs: readonly string[]): Promise<ServiceFindings> {
  const changes = new Map<string, FsChange>();
  const mounts = new Set<string>();
  const notes: string[] = [];
  let linuxServer = false;
  for (const info of containers) {
    for (const change of await engine.diff(info.Id)) if (!changes.has(change.path)) changes.set(change.path, change);
    for (const mount of info.Mounts ?? []) mounts.add(mount.Destination);
    for (const path of Object.keys(info.HostConfig.Tmpfs ?? {})) mounts.add(path);
    const image = await engine.inspectImage(info.Image);
    for (const path of Object.keys(image.Config?.Volumes ?? {})) mounts.add(path);
    linuxServer ||= Boolean(parseImageRef(info.Config.Image)?.lsioName);
    const entrypoint = info.Config.Entrypoint ?? image.Config?.Entrypoint ?? [];
    if (entrypoint[0] === '/init') addOnce(notes, `${info.Config.Image}: entrypoint /init is s6-overlay, which runs scripts in /run: it needs ${conversionTmpfs.includes('/run') ? '/run:exec (the conversion mounts it)' : 'a /run:exec tmpfs'}`);
    if (info.HostConfig.ReadonlyRootfs) addOnce(notes, `${name(info)} already runs read-only: docker diff sees nothing there; check it with --after`);
  }
  const all = [...changes.values()];
  const classification = classifyWrites({ changes: all, mounts: [...mounts], conversionTmpfs, linuxServer });
  const first = containers[0];
  const tmpfs: TmpfsProposal[] = [];
  const proposedTmpfs = classification.proposals.filter((p) => p.kind === 'tmpfs');
  if (first && proposedTmpfs.length) {
    const user = await userIds(engine, first);
    for (const proposal of proposedTmpfs) {
      tmpfs.push({ ...proposal, kind: 'tmpfs', advice: tmpfsAdvice(proposal.path, await listingOf(engine, first.Id, proposal.path), all, user) });
    }
  }
  return {
    service,
    containers: containers.map(name),
    classification,
    tmpfs,
    volumes: classification.proposals.filter((p) => p.kind === 'volume'),
    notes,
  };
}

/** `--after`: the health of each read-only container of a service. */
export async function gatherAfter(engine: DockerEngine, containers: readonly ContainerInfo[]): Promise<AfterFinding[]> {
  return Promise.all(containers.map(async (info) => afterFinding(info, await engine.logs(info.Id))));
}

/** A directory's members, or why the engine would not give them (a failed `docker cp`). */
async function listingOf(engine: DockerEngine, container: string, dir: string, contentLimit = 0): Promise<TarEntry[] | { unread: string }> {
  try {
    return await engine.copyOut(container, dir, { contentLimit });
  } catch (error) {
    if (error instanceof CallFailed) return { unread: error.message };
    throw error;
  }
}

/** The container's user as numeric ids, names read from its own `/etc/passwd` and `/etc/group`. */
async function userIds(engine: DockerEngine, info: ContainerInfo) {
  const user = info.Config.User;
  if (!user || /^\d+(:\d+)?$/.test(user)) return resolveUser(user, null, null);
  const read = async (path: string) => {
    const listing = await listingOf(engine, info.Id, path, 1 << 20);
    return Array.isArray(listing) ? (listing[0]?.content?.toString('utf8') ?? null) : null;
  };
  return resolveUser(user, await read('/etc/passwd'), await read('/etc/group'));
}

function name(info: ContainerInfo): string {
  return info.Name.replace(/^\//, '');
}

function addOnce(list: string[], text: string): void {
  if (!list.includes(text)) list.push(text);
}
