/**
 * Help for every command (issue 27), on the built binary: `--help` lists the commands beside the
 * conversion with their summaries, and `help COMMAND`, `COMMAND --help` print the same help.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFLIGHT_SUMMARY } from '../src/cli/commands.js';
import { makeTempDir, prepareCli, removeTempDirs, runCli, writeTree } from './helpers/cli.js';

let cwd: string;
beforeAll(() => {
  prepareCli();
  cwd = makeTempDir();
});
afterAll(() => {
  removeTempDirs();
});

const help = (...args: string[]) => runCli(args, { cwd });
/** The lines of a help section, up to the next blank line, joined with their wrapped lines. */
const section = (text: string, title: string) => text.slice(text.indexOf(`\n${title}\n`) + title.length + 2).split('\n\n')[0]!.replace(/\n {20,}/g, ' ');

describe('ro-convert --help', () => {
  it('lists preflight, completion and help as commands with their summaries', () => {
    const run = help('--help');
    expect(run.status).toBe(0);
    const commands = section(run.stdout, 'Commands:').split('\n').map((line) => line.trim().split(/\s{2,}/));
    expect(commands).toEqual([
      ['preflight [options] [paths...]', PREFLIGHT_SUMMARY],
      ['completion <bash|zsh|fish>', 'print a shell completion script'],
      ['help [command]', 'show help for a command (preflight, completion)'],
    ]);
  });

  it('is what `ro-convert help` prints', () => {
    expect(help('help')).toEqual(help('--help'));
  });
});

describe.each([
  ['preflight', /^Usage: ro-convert preflight \[options\] \[paths\.\.\.\]\n/],
  ['completion', /^Usage: ro-convert completion <bash\|zsh\|fish>\n/],
])('ro-convert help %s', (command, usage) => {
  it(`prints the help of ${command}, as \`ro-convert ${command} --help\` and -h do, exit 0, nothing on stderr`, () => {
    const run = help('help', command);
    expect(run).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(usage) });
    expect(run.stdout).toMatch(/\nExamples:\n {2}ro-convert /);
    expect(help(command, '--help')).toEqual(run);
    expect(help(command, '-h')).toEqual(run);
  });
});

describe('ro-convert help, wrongly', () => {
  it('names the commands it has for an unknown one, exit 2', () => {
    expect(help('help', 'nope')).toEqual({ status: 2, stdout: '', stderr: 'ro-convert: error: no command nope: ro-convert help [preflight|completion]\n' });
  });

  it('reads a file named help as a path when a selection is given', () => {
    const dir = makeTempDir();
    writeTree(dir, { help: 'services:\n  web:\n    image: nginx\n' });
    const run = runCli(['--all', '--check', 'help'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('+++ b/help\n');
  });
});
