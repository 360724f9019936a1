// The command line with --layer (issue 25): the conversion written as one override file loaded
// last, the project's files byte for byte, --check failing on a missing or stale layer, the
// project's compose.override.yaml as the layer when no name is given, refusals with exit 2.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCli, readBytes, removeTempDirs, runCli, workspace } from './helpers/cli.js';

beforeAll(() => {
  prepareCli();
});
afterAll(() => removeTempDirs());

const BASE = 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr\n    environment:\n      PUID: "1000"\n      TZ: Etc/UTC\n  db:\n    image: postgres:16\n';
const PROD = 'services:\n  sonarr:\n    read_only: false\n';
const CHAIN = ['-f', 'compose.yml', '-f', 'compose.prod.yml'];
const LAYER =
  '# Read-only hardening layer written by ro-convert over compose.yml, compose.prod.yml.\n' +
  '# Load it last: docker compose -f compose.yml -f compose.prod.yml -f ro.yml …, or COMPOSE_FILE=compose.yml:compose.prod.yml:ro.yml.\n' +
  '# Needs Docker Compose v2.24 or later (!reset and !override tags).\n' +
  '# After an upstream update of those files, run ro-convert --check --layer ro.yml again.\n' +
  'services:\n  sonarr:\n    read_only: true\n    tmpfs:\n      - /run:exec\n    environment:\n      PUID: !reset null\n';

describe('--layer FILE over a -f chain', () => {
  it('previews the new layer, --check fails, --write creates it and leaves the chain byte for byte, then --check passes', () => {
    const dir = workspace({ 'compose.yml': BASE, 'compose.prod.yml': PROD });
    const preview = runCli(['--service', 'sonarr', ...CHAIN, '--layer', 'ro.yml'], { cwd: dir });
    expect(preview.status).toBe(0);
    expect(preview.stdout).toContain('+++ b/ro.yml\n');
    expect(preview.stderr).toContain('ro.yml: load it last: docker compose -f compose.yml -f compose.prod.yml -f ro.yml');
    expect(existsSync(join(dir, 'ro.yml'))).toBe(false);
    const check = runCli(['--service', 'sonarr', ...CHAIN, '--layer', 'ro.yml', '--check'], { cwd: dir });
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('ro.yml: the project with no layer is not read-only: sonarr: read_only is not true');
    expect(runCli(['--service', 'sonarr', ...CHAIN, '--layer', 'ro.yml', '--write'], { cwd: dir }).status).toBe(0);
    expect(readBytes(join(dir, 'ro.yml'))).toBe(LAYER);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(BASE);
    expect(readBytes(join(dir, 'compose.prod.yml'))).toBe(PROD);
    const again = runCli(['--service', 'sonarr', ...CHAIN, '--layer', 'ro.yml', '--check'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
  });

  it('--check fails on a stale layer (a variable new upstream), and --write brings it up to date, comments kept', () => {
    const upstream = BASE.replace('      TZ: Etc/UTC\n', '      TZ: Etc/UTC\n      PGID: "1000"\n');
    const mine = LAYER.replace('services:\n', '# mine\nservices:\n');
    const dir = workspace({ 'compose.yml': upstream, 'compose.prod.yml': PROD, 'ro.yml': mine });
    const check = runCli(['--service', 'sonarr', ...CHAIN, '--layer', 'ro.yml', '--check'], { cwd: dir });
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('ro.yml: the project with ro.yml is not read-only: sonarr: PGID still set');
    expect(runCli(['--service', 'sonarr', ...CHAIN, '--layer', 'ro.yml', '--write'], { cwd: dir }).status).toBe(0);
    expect(readBytes(join(dir, 'ro.yml'))).toBe(`${mine}      PGID: !reset null\n`);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(upstream);
  });
});

describe('--layer with an absolute path', () => {
  it('writes the layer there, not under the working directory', () => {
    const dir = workspace({ 'compose.yml': BASE, 'compose.prod.yml': PROD });
    const run = runCli(['--service', 'sonarr', ...CHAIN, '--layer', join(dir, 'abs.yml'), '--write'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(readBytes(join(dir, 'abs.yml'))).toBe(LAYER.replaceAll('ro.yml', 'abs.yml'));
  });
});

describe('--layer without a name', () => {
  it('writes the compose.override.yaml of a project found by default discovery, and says Compose loads it with no flag', () => {
    const dir = workspace({ 'compose.yml': BASE });
    const run = runCli(['--service', 'sonarr', '--layer', '--write'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('compose.override.yaml: Compose loads compose.override.yaml by default after compose.yml (no flag needed)');
    expect(readBytes(join(dir, 'compose.override.yaml'))).toContain('services:\n  sonarr:\n    read_only: true\n');
    expect(readBytes(join(dir, 'compose.yml'))).toBe(BASE);
    // Discovery now finds the override: the project with it is read-only.
    expect(runCli(['--service', 'sonarr', '--check'], { cwd: dir }).status).toBe(0);
  });

  it('is refused for a -f chain (exit 2, nothing written)', () => {
    const dir = workspace({ 'compose.yml': BASE, 'compose.prod.yml': PROD });
    const run = runCli(['--service', 'sonarr', ...CHAIN, '--layer', '--write'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--layer without a file name writes the override file of a project found by default discovery');
    expect(existsSync(join(dir, 'compose.override.yaml'))).toBe(false);
  });
});

describe('--layer refusals: exit 2, one line, nothing written', () => {
  it('an unknown service', () => {
    const dir = workspace({ 'compose.yml': BASE });
    const run = runCli(['--service', 'lidarr', '-f', 'compose.yml', '--layer', 'ro.yml', '--write'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('ro.yml: error: no service lidarr in the project (services: sonarr (compose.yml), db (compose.yml))');
    expect(existsSync(join(dir, 'ro.yml'))).toBe(false);
  });

  it('a layer loaded before another file', () => {
    const dir = workspace({ 'compose.yml': BASE, 'ro.yml': 'services: {}\n' });
    const run = runCli(['--all', '-f', 'ro.yml', '-f', 'compose.yml', '--layer', 'ro.yml', '--write'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('a layer must be the last file Compose loads');
    expect(readBytes(join(dir, 'ro.yml'))).toBe('services: {}\n');
  });

  it('two paths', () => {
    const dir = workspace({ 'a/compose.yml': BASE, 'b/compose.yml': BASE });
    const run = runCli(['--all', '--layer', 'ro.yml', 'a/compose.yml', 'b/compose.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--layer writes one layer over one project');
  });
});
