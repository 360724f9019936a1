// The command line: commander parses, `run` does the work, and this file maps the outcome to
// an exit code in one place. Usage errors exit 2, like a failed file.
import { Command, CommanderError, Option } from 'commander';
// Bulk writes keep many fsyncs in flight (they wait on the disk, not the CPU); libuv's default
// of 4 threads would serialise them. Read when the thread pool starts, so set before any I/O.
process.env.UV_THREADPOOL_SIZE ??= '16';
import { EXIT, run } from './run.js';
import type { OutputFormat, RunOptions } from './run.js';
import { isEmptySelection } from '../model/select.js';
import { VERSION } from './version.js';
import { COMMANDS, commandTerm, listedCommands } from './commands.js';
import { exitWhenWritten, isTerminal, stderrStream, writeOutput } from '../io/stdio.js';

const repeated = (value: string, previous: string[] = []) => [...previous, value];
const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

function program(): Command {
  return new Command('ro-convert')
    .description('Convert Docker Compose services to read-only containers (LinuxServer.io style), editing only the lines that must change.')
    .argument('[paths...]', "compose files (each as `docker compose -f FILE` reads it, includes and env files with it), directories (searched for projects), or - for standard input; none: the current directory's project")
    .optionsGroup('Selection (one is required):')
    .option('-s, --service <name>', 'convert this service (repeatable, or a comma list)', list)
    .option('-a, --all', 'convert every service')
    .option('--image <glob>', "convert services whose image matches, e.g. 'lscr.io/linuxserver/*' (repeatable)", list)
    .option('--supported', 'convert every LinuxServer image that declares read-only support')
    .optionsGroup('Project (as docker compose takes them):')
    .option('-f, --file <file>', 'a compose file of the project, in merge order (repeatable; same meaning as docker compose -f)', repeated)
    .option('--project-directory <dir>', 'the project directory (default: the first file\'s folder, or the current directory)')
    .option('--layer [file]', "write the conversion as an override file loaded last, leaving the project's files untouched (no name: the project's compose.override.yaml)")
    .optionsGroup('Conversion:')
    .option('--keep-env <name>', 'do not strip this variable (repeatable, or a comma list)', list)
    .option('--strip-env <name>', 'also strip this variable from selected services (repeatable, or a comma list)', list)
    .option('--swarm', 'the files are deployed with docker stack deploy: warn where swarm cannot mount what read-only needs')
    .optionsGroup('Modes (default: preview the diff, write nothing):')
    .option('-w, --write', 'write the changes (the diff is printed first unless --quiet)')
    .option('--dry-run', 'preview only (the default, said explicitly)')
    .option('--check', 'write nothing; exit 1 if any file would change (for CI)')
    .option('-i, --interactive', 'show each diff and ask before writing it (terminal only)')
    .option('--backup <suffix>', 'with --write: keep each original beside it as FILE.orig (--backup), or FILE + SUFFIX (--backup=SUFFIX)')
    .option('--strict', 'refuse (exit 2, nothing written) any file whose conversion has warnings')
    .option('--follow-symlinks', 'write through a symlink whose target lies outside the file\'s directory or the directory searched (the diff names the target)')
    .optionsGroup('Output:')
    .option('--stdout', 'print the converted text instead of a diff (one file, or -)')
    .addOption(new Option('--format <format>', 'what to print on stdout: diffs (text), a JSON report, a SARIF log for code scanning, GitHub Actions annotations, or a pull request body (markdown)').choices(['text', 'json', 'sarif', 'github', 'markdown']))
    .option('--json', 'short for --format json')
    .option('-q, --quiet', 'print errors only (and skip the checks that only warn, unless --strict)')
    .option('--redact', 'mask values of secret-looking variables (PASSWORD, SECRET, TOKEN, KEY in the name) in printed diffs, for CI logs')
    .option('--no-redact', 'print secret values as they are (the CI integrations pass --redact; the last of the two wins)')
    .addOption(new Option('--color', 'colour the diff (default: only on a terminal; NO_COLOR and FORCE_COLOR are honoured)'))
    .addOption(new Option('--no-color', 'never colour the diff'))
    .option('--list-images', 'print what ro-convert knows about images (LinuxServer and companion tables) and exit')
    .version(VERSION, '-V, --version')
    .configureHelp({ visibleCommands: listedCommands, subcommandTerm: commandTerm })
    .addHelpText(
      'after',
      `
Examples:
  ro-convert --service sonarr compose.yml              preview one service's conversion
  ro-convert --service sonarr --write compose.yml      write it
  ro-convert --supported --write --quiet ~/stacks      convert a whole tree in place
  ro-convert --all --check .                           CI gate: exit 1 if anything is left to convert
  ro-convert --all --format markdown compose.yml       a pull request body: services, warnings, diff
  ro-convert preflight --all compose.yml               ask the running containers what they write first

Exit codes:
  0  done, or nothing to do
  1  --check: some file would change, or a selected service would still be writable
  2  usage error, or some file could not be converted (the others still are)

Run ro-convert help preflight (or ro-convert preflight --help) for preflight's options.`,
    )
    .showHelpAfterError('(run ro-convert --help for usage)')
    .configureOutput({ writeOut: (text) => writeOutput(1, text), writeErr: (text) => writeOutput(2, text) })
    .exitOverride();
}

interface CliFlags {
  file?: string[];
  projectDirectory?: string;
  layer?: string | true;
  backup?: string;
  service?: string[];
  all?: boolean;
  image?: string[];
  supported?: boolean;
  keepEnv?: string[];
  stripEnv?: string[];
  swarm?: boolean;
  write?: boolean;
  dryRun?: boolean;
  check?: boolean;
  interactive?: boolean;
  strict?: boolean;
  followSymlinks?: boolean;
  stdout?: boolean;
  format?: OutputFormat;
  json?: boolean;
  quiet?: boolean;
  redact?: boolean;
  color?: boolean;
  listImages?: boolean;
}

class UsageError extends Error {}

function toRunOptions(paths: string[], flags: CliFlags, stdoutIsTerminal: boolean): RunOptions {
  const options: RunOptions = {
    paths,
    services: flags.service,
    all: flags.all,
    images: flags.image,
    supported: flags.supported,
    keepEnv: flags.keepEnv,
    stripEnv: flags.stripEnv,
    swarm: flags.swarm,
    mode: flags.check ? 'check' : flags.write || flags.interactive ? 'write' : 'preview',
    interactive: Boolean(flags.interactive),
    stdout: Boolean(flags.stdout),
    format: outputFormat(flags),
    quiet: Boolean(flags.quiet),
    redact: Boolean(flags.redact),
    strict: Boolean(flags.strict),
    followSymlinks: Boolean(flags.followSymlinks),
    color: useColor(flags.color, stdoutIsTerminal),
    ...(flags.file ? { files: flags.file } : {}),
    ...(flags.projectDirectory !== undefined ? { projectDirectory: flags.projectDirectory } : {}),
    ...(flags.backup !== undefined ? { backup: flags.backup } : {}),
    ...(flags.layer !== undefined ? layerOptions(paths, flags) : {}),
  };
  if (isEmptySelection(options)) throw new UsageError('choose the services to convert: --service NAME, --all, --image GLOB or --supported');
  if (paths.length > 0 && (flags.file || flags.projectDirectory !== undefined)) throw new UsageError('-f and --project-directory name one project: give no paths beside them');
  if (flags.backup !== undefined && !flags.write && !flags.interactive) throw new UsageError('--backup keeps the originals of a write: it needs --write');
  if (flags.backup !== undefined && (flags.backup === '' || flags.backup.includes('/'))) throw new UsageError('--backup takes a file name suffix such as .orig (no /)');
  const modes = [flags.write && '--write', flags.dryRun && '--dry-run', flags.check && '--check', flags.interactive && '--interactive'].filter(Boolean);
  if (modes.length > 1 && !(modes.length === 2 && flags.write && flags.interactive)) throw new UsageError(`${modes.join(' and ')} cannot be combined`);
  if (options.stdout && (paths.length !== 1 || options.mode !== 'preview' || options.format !== 'text')) throw new UsageError('--stdout takes one file (or -) and no --write, --check or --format');
  if (options.interactive && options.format !== 'text') throw new UsageError('--interactive prints diffs and questions: it takes no --format');
  if (paths.includes('-') && options.mode === 'write') throw new UsageError('standard input cannot be written back; use --stdout');
  return options;
}

/** `--layer [FILE]` works on one project: `-f` files, a single compose file argument, or none (the current directory's project). */
function layerOptions(paths: string[], flags: CliFlags): Pick<RunOptions, 'layer' | 'paths' | 'files'> {
  if (paths.length > 1 || paths.includes('-')) throw new UsageError('--layer writes one layer over one project: name its files with -f (or one compose file, or none for the current directory\'s project)');
  if (flags.stdout || flags.interactive) throw new UsageError('--layer takes no --stdout or --interactive');
  return { layer: flags.layer === true ? null : flags.layer!, paths: [], ...(paths.length ? { files: paths } : {}) };
}

function outputFormat(flags: CliFlags): OutputFormat {
  if (flags.json && flags.format && flags.format !== 'json') throw new UsageError(`--json is --format json: it cannot be combined with --format ${flags.format}`);
  return flags.json ? 'json' : (flags.format ?? 'text');
}

function useColor(flag: boolean | undefined, stdoutIsTerminal: boolean): boolean {
  if (flag !== undefined) return flag;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  if (process.env.NO_COLOR) return false;
  return stdoutIsTerminal;
}

async function main(argv: string[]): Promise<number> {
  const cli = program();
  // `completion <shell>` is recognised only as the whole command line: a conversion always
  // needs a selection option, so these words alone can never be one (`--all completion`
  // still reads a file named "completion").
  const words = argv.slice(2);
  if (words[0] === 'completion' && words.length <= 2) return printCompletion(cli, words[1]);
  // `help [command]` likewise: only as the whole command line.
  if (words[0] === 'help' && words.length <= 2) return printHelp(cli, words[1]);
  if (words[0] === 'preflight') return preflightCommand(words.slice(1));
  let flags: CliFlags;
  try {
    cli.parse(withBackupSuffix(argv));
    flags = cli.opts<CliFlags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failed;
    throw error;
  }
  if (flags.listImages) {
    const [{ listImages, knowledgeProvenance }, { listCompanions }, { formatImageTable, formatCompanionTable }] = await Promise.all([
      import('../knowledge/index.js'),
      import('../knowledge/companions.js'),
      import('../report/report.js'),
    ]);
    const { repository, commit, date } = knowledgeProvenance;
    writeOutput(1, `LinuxServer images (${repository}@${commit.slice(0, 12)}, ${date}):\n\n${formatImageTable(listImages())}\n`);
    writeOutput(
      1,
      'Images that live next to them (official and third-party). /RUN: what /run needs (exec only for s6 images); TMPFS: entries the\n' +
        'conversion adds, (in parentheses) entries it only names; CONF.: D documented by the image, V verified by a third party,\n' +
        'O observed in public compose files, I inferred from its Dockerfile, X known to break. Any other image gets /run:exec and a warning.\n\n' +
        formatCompanionTable(listCompanions()),
    );
    return EXIT.ok;
  }
  const [stdoutIsTerminal, stderrIsTerminal] = await Promise.all([isTerminal(1), isTerminal(2)]);
  let options: RunOptions;
  try {
    options = toRunOptions(cli.args, flags, stdoutIsTerminal);
    // Standard input is asked about only here: a closed or /dev/null stdin is common, and asking
    // a character device loads the tty module.
    if (options.interactive && !(stdoutIsTerminal && (await isTerminal(0)))) throw new UsageError('--interactive needs a terminal');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeOutput(2, `ro-convert: error: ${error.message}\n(run ro-convert --help for usage)\n`);
    return EXIT.failed;
  }
  return run(options, {
    out: (text) => writeOutput(1, text),
    err: (text) => writeOutput(2, text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    ask: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: stderrStream() });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    progress: stderrIsTerminal,
  });
}

/** `ro-convert help [command]`: the same help as `--help` on that command. */
async function printHelp(cli: Command, command: string | undefined): Promise<number> {
  if (command === undefined || command === 'help') {
    cli.outputHelp();
    return EXIT.ok;
  }
  if (command === 'preflight') return preflightCommand(['--help']);
  if (command === 'completion') return printCompletion(cli, '--help');
  writeOutput(2, `ro-convert: error: no command ${command}: ro-convert help [preflight|completion]\n`);
  return EXIT.failed;
}

async function preflightCommand(args: readonly string[]): Promise<number> {
  const { preflightMain } = await import('./preflight.js');
  return preflightMain(args, { out: (text) => writeOutput(1, text), err: (text) => writeOutput(2, text), color: useColor(undefined, await isTerminal(1)) });
}

/**
 * `--backup` alone means `--backup=.orig`: its suffix is only ever given with `=`, so a path after
 * it is never taken for the suffix (commander would take it for an optional value).
 */
function withBackupSuffix(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => (arg === '--backup' && (end === -1 || i < end) ? '--backup=.orig' : arg));
}

async function printCompletion(cli: Command, shell: string | undefined): Promise<number> {
  const { SHELLS, completionHelp, completionScript, isShell } = await import('./completion.js');
  if (shell === '--help' || shell === '-h') {
    writeOutput(1, completionHelp());
    return EXIT.ok;
  }
  if (shell === undefined || !isShell(shell)) {
    writeOutput(2, `ro-convert: error: ${shell === undefined ? 'name a shell' : `unknown shell ${shell}`}: ro-convert completion ${SHELLS.join('|')}\n`);
    return EXIT.failed;
  }
  writeOutput(1, completionScript(shell, cli, COMMANDS));
  return EXIT.ok;
}

main(process.argv).then(exitWhenWritten, (error: unknown) => {
  // Never a stack trace for the user: one line, and the bug is ours.
  writeOutput(2, `ro-convert: error: bug in ro-convert: ${error instanceof Error ? error.message : String(error)}\n`);
  exitWhenWritten(EXIT.failed);
});
