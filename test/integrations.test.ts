// Where users meet ro-convert: the pre-commit hook, the GitHub Action, the GitLab CI snippet,
// shell completion and --help. Each manifest's command line is built from the manifest itself
// and run against the built CLI (dist/cli.js) in place of the installed or npx one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionOptions, completionScript, SHELLS } from '../src/cli/completion.js';
import { COMPOSE_FILE } from '../src/io/files.js';
import { copyBuiltCli } from './helpers/cli.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const builtCli = join(projectRoot, 'dist/cli.js');
/** A private copy of the bundles (set in beforeAll): a rebuild of dist/ meanwhile cannot pull it away. */
let cli = builtCli;
const version = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

const SONARR = `services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:latest
    environment:
      - PUID=1000
      - TZ=Etc/UTC
`;
/** SONARR with a secret in a context line of its diff. */
const SONARR_SECRET = SONARR.replace('      - TZ=Etc/UTC\n', '      - TZ=Etc/UTC\n      - API_KEY=hunter2\n');

/** File names the directory search and the pre-commit pattern must agree on (both ways). */
const COMPOSE_NAMES = ['compose.yml', 'compose.yaml', 'docker-compose.yml', 'docker-compose.yaml', 'compose.override.yml', 'docker-compose.prod.yaml', 'docker-compose.dev.override.yml', 'docker-compose-VPS.yaml', 'docker-compose-media.yml', 'compose-media.yaml', 'media.compose.yml', 'stack.prod.compose.yaml'];
const OTHER_NAMES = ['values.yml', 'compose.json', 'my-compose.yml', 'mycompose.yml', 'compose.yml.bak', 'docker-compose.txt', 'podman-compose.yml', 'compose-.yml', '.compose.yml', 'compose', 'docker-compose-vps.yml.orig'];

// Each test starts node several times; on a busy machine that takes seconds, not a bug.

let scratch = '';
beforeAll(() => {
  if (!existsSync(builtCli)) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
  scratch = mkdtempSync(join(tmpdir(), 'ro-convert-integrations-'));
  mkdirSync(join(scratch, 'dist'));
  copyBuiltCli(join(scratch, 'dist'));
  cli = join(scratch, 'dist/cli.js');
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A fresh folder holding the given files (relative path → text). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'case-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command line's words after its `ro-convert` word (or npx invocation) with the built CLI. */
function runLine(words: string[], cwd: string) {
  return run(process.execPath, [cli, ...words], cwd);
}

/** Exit 1 from --check with the diff on stdout (not a crash, which also exits 1). */
function expectPending(result: { status: number | null; stdout: string }) {
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('+    read_only: true');
}

describe('pre-commit: .pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(projectRoot, '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];
  const hook = hooks.find((h) => h.id === 'ro-convert-check')!;

  it('declares the ro-convert-check hook: node, ro-convert --check --redact, compose files, file names passed', () => {
    expect(hooks).toHaveLength(1);
    expect(hook).toMatchObject({
      id: 'ro-convert-check',
      name: expect.any(String),
      language: 'node',
      entry: 'ro-convert --check --redact',
      files: '(^|/)((docker-)?compose([.-][^/]+)?|[^/]+\\.compose)\\.ya?ml$',
      pass_filenames: true,
      args: ['--supported'],
    });
  });

  it('matches the names the directory search finds, in any folder, and nothing else', () => {
    const files = new RegExp(hook.files as string); // pre-commit applies it with re.search
    for (const name of COMPOSE_NAMES) {
      for (const path of [name, `sub/${name}`, `a/b/${name}`]) expect(files.test(path), path).toBe(true);
      expect(COMPOSE_FILE.test(name), name).toBe(true);
    }
    for (const name of [...OTHER_NAMES, 'compose/values.yml', 'docker-compose.yml/x.txt']) {
      expect(files.test(name), name).toBe(false);
      expect(COMPOSE_FILE.test(name.split('/').at(-1)!), name).toBe(false);
    }
    // The search itself, on a folder holding every name.
    const dir = folder(Object.fromEntries([...COMPOSE_NAMES, ...OTHER_NAMES].map((name) => [`sub/${name}`, SONARR])));
    const found = runLine(['--json', '--all', '.'], dir);
    const paths = (JSON.parse(found.stdout) as { files: { path: string }[] }).files.map((f) => f.path);
    expect(paths.sort()).toEqual(COMPOSE_NAMES.map((name) => `sub/${name}`).sort());
    expect(paths.every((path) => files.test(path))).toBe(true);
  });

  it('masks secrets in the printed diff, unless args start with --no-redact', () => {
    const dir = folder({ 'compose.yml': SONARR_SECRET });
    const [, ...entryArgs] = (hook.entry as string).split(' ');
    const masked = runLine([...entryArgs, ...(hook.args as string[]), 'compose.yml'], dir);
    expectPending(masked);
    expect(masked.stdout).toContain('API_KEY=***');
    expect(masked.stdout).not.toContain('hunter2');
    const plain = runLine([...entryArgs, '--no-redact', '--supported', 'compose.yml'], dir);
    expectPending(plain);
    expect(plain.stdout).toContain('API_KEY=hunter2');
  });

  it('entry + args + a file name: exit 1 while a conversion is pending, 0 once written', () => {
    const dir = folder({ 'stack/compose.yml': SONARR });
    const [command, ...entryArgs] = (hook.entry as string).split(' ');
    expect(command).toBe('ro-convert');
    const hookLine = [...entryArgs, ...(hook.args as string[]), 'stack/compose.yml'];
    expectPending(runLine(hookLine, dir));
    expect(readFileSync(join(dir, 'stack/compose.yml'), 'utf8')).toBe(SONARR);
    // With the selection users pass through args, too.
    expectPending(runLine([...entryArgs, '--service', 'sonarr', 'stack/compose.yml'], dir));

    expect(runLine(['--supported', '--write', '--quiet', 'stack/compose.yml'], dir).status).toBe(0);
    expect(runLine(hookLine, dir)).toMatchObject({ status: 0, stdout: '' });
  });
});

describe('GitHub Action: action.yml', () => {
  const action = parse(readFileSync(join(projectRoot, 'action.yml'), 'utf8')) as {
    name: string;
    description: string;
    inputs: Record<string, { description: string; default: string }>;
    runs: { using: string; steps: { shell: string; env: Record<string, string>; run: string }[] };
  };
  const step = action.runs.steps[0]!;
  const NPX = 'npx --yes "ro-convert@$RO_VERSION"';

  /** Runs the step's script as Actions would, inputs (defaults overridden) in its environment. */
  function runAction(inputs: Record<string, string>, cwd: string, runner: Record<string, string> = {}) {
    const values = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, inputs[name] ?? String(input.default)]));
    const env = Object.fromEntries(
      Object.entries(step.env).map(([key, expression]) => {
        const name = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(expression)![1]!;
        return [key, values[name]!];
      }),
    );
    const script = step.run.replace(NPX, `node ${JSON.stringify(cli)}`);
    return run('bash', ['-c', script], cwd, { ...env, ...runner });
  }

  it('is a composite action with inputs for paths, selection, extra args, the version and the output', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps).toHaveLength(1);
    expect(step.shell).toBe('bash');
    expect(Object.keys(action.inputs).sort()).toEqual(['all', 'args', 'format', 'images', 'paths', 'redact', 'sarif-file', 'services', 'summary', 'supported', 'version']);
    expect(action.inputs.redact!.default).toBe('true');
    expect(action.inputs.format!.default).toBe('github');
    expect(action.inputs.paths!.default).toBe('.');
    expect(String(action.inputs.version!.default)).toBe(version);
  });

  it('passes inputs through the environment only, never pasted into the script, and runs npx once', () => {
    expect(step.run).not.toContain('${{');
    for (const expression of Object.values(step.env)) expect(expression).toMatch(/^\$\{\{ inputs\.[a-z-]+ \}\}$/);
    expect(Object.values(step.env).map((e) => /inputs\.([a-z-]+)/.exec(e)![1]).sort()).toEqual(Object.keys(action.inputs).sort());
    expect(step.run.split(NPX)).toHaveLength(2);
    expect(step.run).toContain(`${NPX} "\${args[@]}" "$@" -- "\${paths[@]}"`);
  });

  it('fails (1) while a selected service is pending, passes (0) once converted', () => {
    const dir = folder({ 'stacks/media/compose.yml': SONARR, 'other/docker-compose.yml': SONARR });
    expectPending(runAction({ supported: 'true' }, dir));
    const byService = runAction({ paths: 'stacks', services: 'sonarr' }, dir);
    expectPending(byService);
    expect(byService.stdout).toContain('+++ b/stacks/media/compose.yml');
    expect(byService.stdout).not.toContain('other/');
    const withArgs = runAction({ paths: 'stacks', images: 'lscr.io/linuxserver/*', args: '--keep-env PUID', format: 'json' }, dir);
    expect(withArgs.status).toBe(1);
    expect((JSON.parse(withArgs.stdout) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual(['stacks/media/compose.yml']);

    expect(runLine(['--all', '--write', '--quiet', '.'], dir).status).toBe(0);
    expect(runAction({ paths: 'stacks\nother/docker-compose.yml', all: 'true' }, dir)).toMatchObject({ status: 0, stdout: '' });
  });

  it('masks secrets in the printed diff by default; redact: false prints them', () => {
    const dir = folder({ 'compose.yml': SONARR_SECRET });
    const masked = runAction({ supported: 'true' }, dir);
    expectPending(masked);
    expect(masked.stdout).toContain('API_KEY=***');
    expect(masked.stdout).not.toContain('hunter2');
    const plain = runAction({ supported: 'true', redact: 'false' }, dir);
    expectPending(plain);
    expect(plain.stdout).toContain('API_KEY=hunter2');
    // --no-redact through args does the same.
    expect(runAction({ supported: 'true', args: '--no-redact' }, dir).stdout).toContain('API_KEY=hunter2');
  });

  it('annotates the files by default, and writes a SARIF log for upload-sarif when asked', () => {
    const dir = folder({ 'stacks/compose.yml': SONARR });
    const outputs = join(dir, 'github-output');
    const result = runAction({ paths: 'stacks', all: 'true', 'sarif-file': 'ro.sarif' }, dir, { GITHUB_OUTPUT: outputs });
    expectPending(result);
    expect(result.stdout).toMatch(/^::error file=stacks\/compose.yml,line=2,col=3,title=ro-convert%3A not read-only::service sonarr: /m);
    expect(readFileSync(outputs, 'utf8')).toBe('sarif-file=ro.sarif\n');
    const log = JSON.parse(readFileSync(join(dir, 'ro.sarif'), 'utf8')) as { version: string; runs: { results: { ruleId: string; fixes?: unknown[] }[] }[] };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.filter((r) => r.fixes).map((r) => r.ruleId)).toEqual(['writable-root']);
  });

  it('writes a Markdown report to the job summary unless summary: false', () => {
    const dir = folder({ 'stacks/compose.yml': SONARR });
    const summary = join(dir, 'step-summary');
    writeFileSync(summary, '# earlier step\n');
    expectPending(runAction({ paths: 'stacks', all: 'true' }, dir, { GITHUB_STEP_SUMMARY: summary }));
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n')).toBe(true);
    expect(written).toContain('stacks/compose.yml');
    expect(written).toContain('sonarr');
    writeFileSync(summary, '');
    expectPending(runAction({ paths: 'stacks', all: 'true', summary: 'false' }, dir, { GITHUB_STEP_SUMMARY: summary }));
    expect(readFileSync(summary, 'utf8')).toBe('');
  });

  it('fails (2) without a selection, naming the options', () => {
    const dir = folder({ 'compose.yml': SONARR });
    const result = runAction({}, dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--service');
  });
});

describe('GitLab CI snippet in docs/ci.md', () => {
  const docs = readFileSync(join(projectRoot, 'docs', 'ci.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## GitLab CI'));
  const snippet = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
  const job = (parse(snippet) as Record<string, { script: string[]; image: string }>)['ro-convert']!;

  it('is a job running the pinned ro-convert --check --redact through npx on a Node 20+ image', () => {
    expect(job.image).toMatch(/^node:(2\d|[3-9]\d)/);
    expect(job.script).toEqual([`npx --yes ro-convert@${version} --check --redact --supported .`]);
  });

  it('its script line works: exit 1 while pending, 0 once converted', () => {
    const dir = folder({ 'compose.yml': SONARR });
    const words = job.script[0]!.split(' ').slice(3); // drop `npx --yes ro-convert@x`
    expectPending(runLine(words, dir));
    expect(runLine(['--all', '--write', '--quiet', '.'], dir).status).toBe(0);
    expect(runLine(words, dir).status).toBe(0);
  });
});

describe('shell completion: ro-convert completion bash|zsh|fish', () => {
  const help = run(process.execPath, [cli, '--help'], projectRoot).stdout;
  const optionsPart = help.slice(0, help.indexOf('Examples:'));
  const longOptions = [...new Set(optionsPart.match(/(?<=^ {2}(?:-\w, )?)--[a-z][a-z-]*/gm))];
  const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

  it('finds the options in --help (the reference the scripts are checked against)', () => {
    expect(longOptions).toEqual(expect.arrayContaining(['--service', '--all', '--write', '--check', '--json', '--version', '--help', '--no-color']));
  });

  it.each(SHELLS)('%s: prints a script with every long option of the program', (shell) => {
    const result = run(process.execPath, [cli, 'completion', shell], projectRoot);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    for (const option of longOptions) {
      // bash and zsh name options whole; fish names them without the dashes (-l service).
      expect(result.stdout, option).toContain(shell === 'fish' ? `-l ${option.slice(2)} ` : option);
    }
  });

  it('bash: bash -n accepts the script, and it completes options, shells and nothing after a value option', () => {
    const script = run(process.execPath, [cli, 'completion', 'bash'], projectRoot).stdout;
    const file = join(scratch, 'ro-convert.bash');
    writeFileSync(file, script);
    expect(run('bash', ['-n', file], scratch)).toMatchObject({ status: 0, stderr: '' });
    const complete = (...words: string[]) =>
      run('bash', ['-c', `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ro_convert; printf '%s\\n' "\${COMPREPLY[@]}"`, file, 'ro-convert', ...words], scratch).stdout.trim();
    expect(complete('--se')).toBe('--service');
    expect(complete('--no-c')).toBe('--no-color');
    expect(complete('--no-r')).toBe('--no-redact');
    expect(complete('completion', '')).toBe(SHELLS.join('\n'));
    expect(complete('--service', '')).toBe('');
    // The first word is a command or a path; after help, the commands it explains.
    expect(complete('pre')).toBe('preflight');
    expect(complete('help', '')).toBe('preflight\ncompletion');
    writeFileSync(join(scratch, 'my compose.yml'), '');
    expect(complete('my')).toBe('my compose.yml');
    expect(complete('--all', 'pre')).toBe('');
  });

  it('fish and zsh: the first word completes the commands, with their summaries', () => {
    const fish = run(process.execPath, [cli, 'completion', 'fish'], projectRoot).stdout;
    expect(fish).toContain(`complete -c ro-convert -n 'test (count (commandline -opc)) -eq 1' -a 'preflight' -d '`);
    expect(fish).toContain(`-eq 2; and test (commandline -opc)[2] = help' -f -a 'completion'`);
    expect(run(process.execPath, [cli, 'completion', 'zsh'], projectRoot).stdout).toContain(`'completion:print a shell completion script'`);
  });

  it.skipIf(!has('zsh') && process.env.CI !== 'true')('zsh: zsh -n accepts the script (skipped outside CI when zsh is not installed; .ci/run installs it)', () => {
    const file = join(scratch, '_ro-convert');
    writeFileSync(file, run(process.execPath, [cli, 'completion', 'zsh'], projectRoot).stdout);
    expect(run('zsh', ['-n', file], scratch)).toMatchObject({ status: 0, stderr: '' });
  });

  it.skipIf(!has('fish') && process.env.CI !== 'true')('fish: fish -n accepts the script (skipped outside CI when fish is not installed; .ci/run installs it)', () => {
    const file = join(scratch, 'ro-convert.fish');
    writeFileSync(file, run(process.execPath, [cli, 'completion', 'fish'], projectRoot).stdout);
    expect(run('fish', ['-n', file], scratch)).toMatchObject({ status: 0, stderr: '' });
  });

  it('an unknown or missing shell is a usage error (exit 2)', () => {
    expect(run(process.execPath, [cli, 'completion', 'tcsh'], projectRoot)).toMatchObject({ status: 2, stdout: '', stderr: expect.stringContaining('bash|zsh|fish') });
    expect(run(process.execPath, [cli, 'completion'], projectRoot)).toMatchObject({ status: 2, stdout: '' });
  });

  it('a file named "completion" is still a path when a selection is given', () => {
    const dir = folder({ completion: SONARR });
    const result = runLine(['--all', '--check', 'completion'], dir);
    expectPending(result);
    expect(result.stdout).toContain('+++ b/completion');
  });

  it('generates from any commander program, quoting descriptions safely', () => {
    const program = new Command('my-tool')
      .option('-x, --exclude <glob>', "skip 'these' [files]: a \\ b", (v: string, p: string[] = []) => [...p, v])
      .option('--flag', 'a flag');
    expect(completionOptions(program)).toEqual([
      { long: '--exclude', short: '-x', description: "skip 'these' [files]: a \\ b", value: 'glob', repeatable: true },
      { long: '--flag', short: null, description: 'a flag', value: null, repeatable: false },
      { long: '--help', short: '-h', description: 'display help for command', value: null, repeatable: false },
    ]);
    const bash = completionScript('bash', program);
    expect(bash).toContain('complete -o default -F _my_tool my-tool');
    const file = join(scratch, 'my-tool.bash');
    writeFileSync(file, bash);
    expect(run('bash', ['-n', file], scratch).status).toBe(0);
    expect(completionScript('zsh', program)).toContain(`'*--exclude[skip '\\''these'\\'' \\[files\\]: a \\\\ b]:glob: '`);
    expect(completionScript('fish', program)).toContain(`complete -c my-tool -s x -l exclude -x -d 'skip \\'these\\' [files]: a \\\\ b'`);
  });
});

describe('--help', () => {
  const help = run(process.execPath, [cli, '--help'], projectRoot);
  const section = (title: string) => {
    const start = help.stdout.indexOf(`\n${title}`);
    expect(start, title).toBeGreaterThan(-1);
    const end = help.stdout.indexOf('\n\n', start + 1);
    return help.stdout.slice(start + 1, end === -1 ? undefined : end).split('\n').slice(1);
  };

  it('groups the options: selection, modes, output', () => {
    expect(help.status).toBe(0);
    const order = ['Selection', 'Modes', 'Output'].map((title) => help.stdout.indexOf(`\n${title}`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(section('Selection').join('\n')).toMatch(/--service[\s\S]*--all[\s\S]*--image/);
    expect(section('Modes').join('\n')).toMatch(/--write[\s\S]*--dry-run[\s\S]*--check/);
    expect(section('Output').join('\n')).toMatch(/--stdout[\s\S]*--json[\s\S]*--quiet/);
  });

  it('shows the examples: a service previewed and written, a bulk write of a tree, a CI check, a pull request body, preflight', () => {
    const examples = section('Examples:');
    expect(examples).toHaveLength(6);
    expect(examples[0]).toMatch(/^ {2}ro-convert --service \S+ \S+\.ya?ml\s/);
    expect(examples[1]).toMatch(/^ {2}ro-convert --service \S+ --write \S+\.ya?ml\s/);
    expect(examples[2]).toMatch(/^ {2}ro-convert .*--write .*\s/);
    expect(examples[3]).toMatch(/^ {2}ro-convert .*--check .*\s/);
    expect(examples[4]).toMatch(/^ {2}ro-convert .*--format markdown .*\s/);
    expect(examples[5]).toMatch(/^ {2}ro-convert preflight .*\s/);
  });

  it('lists the exit codes 0, 1 and 2', () => {
    expect(section('Exit codes:').map((line) => line.trim()[0])).toEqual(['0', '1', '2']);
  });

  it('its examples run as printed (paths pointed at a scratch tree)', () => {
    const dir = folder({ 'compose.yml': SONARR, 'stacks/a/compose.yml': SONARR, 'stacks/b/docker-compose.yml': SONARR });
    const words = section('Examples:').map((line) =>
      line
        .trim()
        .split(/\s{2,}/)[0]!
        .split(' ')
        .slice(1)
        .map((word) => (word === '~/stacks' ? 'stacks' : word)),
    );
    expect(runLine(words[0]!, dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('+    read_only: true') });
    expectPending(runLine(words[3]!, dir));
    expect(runLine(words[4]!, dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('To convert: `sonarr`') });
    expect(runLine(words[1]!, dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('+    read_only: true') });
    expect(readFileSync(join(dir, 'compose.yml'), 'utf8')).toContain('read_only: true');
    expect(runLine(words[2]!, dir)).toMatchObject({ status: 0, stdout: '' });
    expect(readFileSync(join(dir, 'stacks/b/docker-compose.yml'), 'utf8')).toContain('read_only: true');
    expect(runLine(words[3]!, dir.concat('/stacks')).status).toBe(0);
  });
});
