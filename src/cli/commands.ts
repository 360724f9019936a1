// The commands beside the conversion, as `ro-convert --help` lists them. cli.ts dispatches them
// by their first word before commander parses a conversion (a conversion's paths are operands,
// so they cannot be commander subcommands of the same program); this list is what help shows.
import { Command } from 'commander';

/** One line of the help's Commands section. */
interface CommandEntry {
  name: string;
  /** What follows the name in the usage line. */
  usage: string;
  summary: string;
}

/** Summary of `ro-convert preflight`, also its own help's summary. */
export const PREFLIGHT_SUMMARY = 'ask the running containers what they write, and propose the tmpfs mounts and volumes read-only needs';

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'preflight', usage: '[options] [paths...]', summary: PREFLIGHT_SUMMARY },
  { name: 'completion', usage: '<bash|zsh|fish>', summary: 'print a shell completion script' },
  { name: 'help', usage: '[command]', summary: 'show help for a command (preflight, completion)' },
];

/**
 * The Commands section for a program's help: commander prints it from these stand-ins, which
 * are never parsed (cli.ts dispatches on the first word).
 */
export function listedCommands(): Command[] {
  return COMMANDS.map((entry) => new Command(entry.name).usage(entry.usage).summary(entry.summary));
}

/** A listed command's term in help: its name and usage. */
export function commandTerm(command: Command): string {
  return `${command.name()} ${command.usage()}`;
}
