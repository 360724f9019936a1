/**
 * The documentation's commands still work (issue 27). Every fenced block tagged ```sh runnable
 * in README.md and docs/*.md is run line by line against the built command, `ro-convert` on the
 * PATH, in a scratch copy of examples/ (a fresh one per block; `cd DIR` lines move within it).
 * A line expects exit 0 unless its comment says `# exit N`. A block tagged `output` right after a
 * runnable block is the exact stdout of that block's last command. Also: every example of the
 * built help is shown in the docs, relative links point at files that exist, and the README stays
 * a landing page (at most 12 KB).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, makeTempDir, prepareCli, PROJECT_ROOT, removeTempDirs, runCli } from './helpers/cli.js';

/** The pages whose commands are run, relative to the repository root. */
const PAGES = ['README.md', ...readdirSync(join(PROJECT_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The words after the fence: `sh runnable`, `diff output`. */
  info: string[];
  text: string;
}

/** The fenced code blocks of a markdown page, in order (``` and ~~~ fences, any length). */
function fencedBlocks(page: string): Block[] {
  const lines = readFileSync(join(PROJECT_ROOT, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const end = lines.findIndex((line, j) => j > i && line.startsWith(fence[0]!.repeat(fence.length)) && /^(`+|~+)\s*$/.test(line));
    if (end === -1) throw new Error(`${page}:${i + 1}: a fence that is never closed`);
    blocks.push({ page, line: i + 1, info: open[2]!.trim().split(/\s+/).filter(Boolean), text: lines.slice(i + 1, end).map((l) => `${l}\n`).join('') });
    i = end;
  }
  return blocks;
}

const BLOCKS = PAGES.flatMap(fencedBlocks);
const RUNNABLE = BLOCKS.filter((b) => b.info.includes('runnable'));

/** One command of a runnable block: the text before its comment, and the exit code it expects. */
function commandsOf(block: Block): { command: string; exit: number }[] {
  return block.text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const comment = line.indexOf(' #');
      return { command: (comment === -1 ? line : line.slice(0, comment)).trim(), exit: Number(/# exit (\d)/.exec(line)?.[1] ?? 0) };
    });
}

/** The block tagged `output` that comes next after `block` on its page, if it is the next block. */
function outputOf(block: Block): Block | undefined {
  const next = BLOCKS[BLOCKS.indexOf(block) + 1];
  return next && next.page === block.page && next.info.includes('output') ? next : undefined;
}

let bin: string;
beforeAll(() => {
  const cli = prepareCli();
  bin = makeTempDir('ro-convert-docs-bin-');
  writeFileSync(join(bin, 'ro-convert'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`, { mode: 0o755 });
});
afterAll(() => {
  removeTempDirs();
});

describe('the runnable commands of the docs', () => {
  it('are found on the pages that show commands (README, usage, images, ci, campaigns, troubleshooting)', () => {
    const pages = new Set(RUNNABLE.map((b) => b.page));
    for (const page of ['README.md', 'docs/usage.md', 'docs/images.md', 'docs/ci.md', 'docs/campaigns.md', 'docs/troubleshooting.md']) expect(pages, page).toContain(page);
    for (const block of RUNNABLE) expect(commandsOf(block).length, `${block.page}:${block.line}`).toBeGreaterThan(0);
  });

  it.each(RUNNABLE.map((block) => [`${block.page}:${block.line}`, block] as const))('%s runs as shown', (_where, block) => {
    const workspace = makeTempDir('ro-convert-docs-');
    cpSync(join(PROJECT_ROOT, 'examples'), join(workspace, 'examples'), { recursive: true });
    // examples/api imports 'ro-convert' by name: here it resolves to this checkout's build.
    mkdirSync(join(workspace, 'node_modules'));
    symlinkSync(PROJECT_ROOT, join(workspace, 'node_modules', 'ro-convert'));
    let cwd = workspace;
    let stdout = '';
    for (const { command, exit } of commandsOf(block)) {
      const cd = /^cd (\S+)$/.exec(command);
      if (cd) {
        cwd = resolve(cwd, cd[1]!);
        continue;
      }
      const run = spawnSync('bash', ['-o', 'pipefail', '-c', command], { cwd, encoding: 'utf8', env: cleanEnv({ PATH: `${bin}:${process.env.PATH}` }), timeout: 60_000 });
      expect({ command, status: run.status, stderr: run.status === exit ? '' : run.stderr }).toEqual({ command, status: exit, stderr: '' });
      stdout = run.stdout;
    }
    const output = outputOf(block);
    if (output) expect(stdout).toBe(output.text);
  });
});

describe('the help and the docs', () => {
  /** The command of each line of a help's Examples section (the words before the two-space gap). */
  const examples = (help: string) =>
    help
      .slice(help.indexOf('\nExamples:\n') + 11)
      .split('\n\n')[0]!
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/)[0]!);

  it.each([[['--help']], [['help', 'preflight']], [['help', 'completion']]])('every example of ro-convert %s is shown in a block of the docs', (args) => {
    const help = runCli(args, { cwd: PROJECT_ROOT });
    expect(help.status).toBe(0);
    const shown = examples(help.stdout);
    expect(shown.length).toBeGreaterThan(1);
    for (const example of shown) expect(BLOCKS.some((b) => b.text.includes(example)), example).toBe(true);
  });
});

describe('the pages', () => {
  it('link only to files that exist', () => {
    for (const page of [...PAGES, 'ARCHITECTURE.md', 'CHANGELOG.md']) {
      const text = readFileSync(join(PROJECT_ROOT, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:|^#/.test(target!)) continue;
        expect(existsSync(join(PROJECT_ROOT, dirname(page), target!.split('#')[0]!)), `${page} links ${target}`).toBe(true);
      }
    }
  });

  it('keep the README a landing page: at most 12 KB', () => {
    expect(statSync(join(PROJECT_ROOT, 'README.md')).size).toBeLessThanOrEqual(12 * 1024);
  });
});
