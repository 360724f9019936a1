// Shapes Compose v2 reads its own way (issue 23), converted by the built CLI and brought up by
// Compose v2 on the real engine: a `${RUN_DIR}` the `.env` sets, `read_only: !reset false`, a
// merged `!override` map and a merged `!reset` one, `tmpfs: !reset`, a `${VAR:-/run}` default and
// list names Compose keeps distinct (`PUID =1000` is not PUID). Every service must run with a
// read-only root, run a script from /run, and get no PUID/PGID. Images are made locally from
// busybox, containers use network_mode: none, and everything is removed in afterAll.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sh } from './engine.js';
import { composeEngine, expectProbedReadOnly, probedProject } from './read-only-probe.js';
import { readBytes, runCli } from '../helpers/cli.js';

const { runs, mustRun } = composeEngine('reading-up');

describe.skipIf(!runs && !mustRun)("Compose v2's reading, converted and brought up", () => {
  const compose = (image: string) => {
    const service = (more: string) => `    image: ${image}\n    network_mode: none\n${more}`;
    return [
      'x-reset: &reset !reset',
      '  tmpfs: [/run:exec]',
      'x-ids: &ids !override',
      '  environment: [PUID=1000, PGID=1000, TZ=Etc/UTC]',
      'services:',
      '  from-dotenv:',
      service('    environment: [TZ=Etc/UTC, PUID=1000]\n    tmpfs:\n      - ${RUN_DIR}'),
      '  reset-read-only:',
      service('    read_only: !reset false\n    tmpfs: !reset [/tmp]\n    environment:\n      - TZ=Etc/UTC\n      - "PGID=1000"'),
      '  merged-tags:',
      '    <<: [*reset, *ids]',
      service(''),
      '  run-default:',
      service('    environment:\n      - PUID =1000\n      - TZ=Etc/UTC\n    tmpfs: ["${APP_RUN:-/run}"]'),
      '',
    ].join('\n');
  };
  const { name, dir } = probedProject('reading', (image) => ({ 'compose.yaml': compose(image), '.env': 'RUN_DIR=/run\n' }));

  it('converts without an internal error, a second run changes nothing, and every service runs read-only with /run:exec and without PUID/PGID', () => {
    const write = runCli(['--all', '--write', '--quiet', 'compose.yaml'], { cwd: dir });
    expect(write.stderr).toBe('');
    expect(write.status).toBe(0);
    const converted = readBytes(join(dir, 'compose.yaml'));
    expect(converted).toContain('      - "${RUN_DIR}:exec"\n');
    expect(converted).toContain('      - PUID =1000\n');
    expect(runCli(['--all', '--check', '--quiet', 'compose.yaml'], { cwd: dir }).status).toBe(0);
    sh('docker', ['compose', '-p', name, 'up', '-d'], { cwd: dir });
    expectProbedReadOnly(name, ['from-dotenv', 'reset-read-only', 'merged-tags', 'run-default']);
  }, 180_000);
});
