import { writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { asConvertError, ConvertError } from '../parse/errors.js';
import { writeOutcome } from './process-file.js';
import type { FileJob, FileOutcome, ProjectJob } from './process-file.js';
import { DEFAULT_FILE_NAMES, loadProject, OVERRIDE_FILE_NAMES } from './project-load.js';
import { writeLayer } from '../project/layer.js';
import { ProjectError } from '../project/merge.js';
import type { ProjectFiles } from '../project/merge.js';
import { errorEntry } from '../report/report.js';
import type { FileReport } from '../report/report.js';

/**
 * `--layer [FILE]`: writes (or brings up to date) the layer over the project a job names, and
 * never touches the project's own files. Never throws: a refusal becomes the report's error.
 * The outcome's `note` says how Compose loads the layer and, under `--check`, why it fails.
 */
export async function processLayer(job: FileJob, project: ProjectJob & { layer: string | null }): Promise<FileOutcome> {
  const cwd = process.cwd();
  const display = (path: string) => relative(cwd, path) || '.';
  const report: FileReport = { path: project.layer ?? (project.files[0] ?? '.'), status: 'unchanged', written: false, error: null, services: [], skippedUntested: [] };
  const outcome: FileOutcome = { report, serviceNames: [], diff: null, input: null, output: null, replacements: null, writeRefusal: null };
  try {
    const { project: files, read } = loadProject({ files: project.files, projectDirectory: project.projectDirectory, cwd, env: process.env });
    const discovered = project.files.length === 0 && discoveredOverride(files);
    const path = project.layer === null ? defaultLayer(files, discovered) : resolve(cwd, project.layer);
    const loading = discovered !== false && (discovered === path || (discovered === null && path === defaultLayer(files, null))) ? 'override' : 'last-file';
    report.path = display(path);
    const layer = writeLayer(files, read, { ...job.options, path, loading, display });
    if (job.strict && layer.services.some((s) => s.warnings.length)) throw new ConvertError('strict-warnings', '--strict: refused because of warnings; nothing written');
    report.services = layer.services;
    report.skippedUntested = layer.skippedUntested;
    report.status = layer.changed ? 'changed' : 'unchanged';
    outcome.serviceNames = layer.names;
    outcome.serviceLabels = layer.serviceNames;
    outcome.diff = job.wantDiff && layer.changed ? layer.diff : null;
    outcome.input = layer.input ?? '';
    outcome.output = layer.output;
    // After a write, what the layer was is history: the note says how it is loaded.
    const stale = job.write ? null : layer.changed && layer.input !== null ? `${display(path)} is stale: the project's files changed since it was written` : null;
    const why = layer.unmet.length && !job.write ? `the project with ${layer.input === null ? 'no layer' : display(path)} is not read-only: ${layer.unmet.join('; ')}` : stale;
    outcome.note = `${display(path)}: ${layer.loadedBy}${why ? `\n${display(path)}: ${why}` : ''}`;
    if (job.write && layer.changed) {
      if (layer.input === null) {
        // A new file: created, never over one that appeared meanwhile.
        writeFileSync(path, layer.output, { flag: 'wx' });
        report.written = true;
      } else {
        await writeOutcome(outcome, job.backup);
      }
    }
  } catch (error) {
    report.status = 'error';
    report.error = errorEntry(error instanceof ProjectError ? new ConvertError('bad-project', `${display(error.file)}: ${error.message}`) : asConvertError(error));
  }
  if (!job.wantTexts) outcome.output = outcome.input = null;
  return outcome;
}

/**
 * The override file of a project found by default discovery (null: discovery found none), or
 * false when the project is not one discovery found (`-f` or `COMPOSE_FILE` named other files).
 */
function discoveredOverride(project: ProjectFiles): string | null | false {
  const [base, override, ...more] = project.files.map((f) => f.path);
  if (more.length || !base || !DEFAULT_FILE_NAMES.includes(basename(base))) return false;
  if (override === undefined) return null;
  return OVERRIDE_FILE_NAMES.includes(basename(override)) && dirname(override) === dirname(base) ? override : false;
}

/** `--layer` without a name: the project's override file (Compose loads it with no flag); only for a project discovery found. */
function defaultLayer(project: ProjectFiles, discovered: string | null | false): string {
  if (discovered === false) throw new ConvertError('no-placement', '--layer without a file name writes the override file of a project found by default discovery; with -f or COMPOSE_FILE, name the layer: --layer FILE');
  return discovered ?? join(dirname(project.files[0]!.path), 'compose.override.yaml');
}
