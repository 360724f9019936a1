/**
 * Shared helpers for the fixture tests: reading texts byte-faithfully (a BOM stays as
 * U+FEFF, CRLF stays CRLF) and reading the JSON sidecars of fixture cases.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding one folder per fixture case, and `errors/`. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a file as UTF-8 text, keeping a byte-order mark and every line ending. */
export function readExact(path: string): string {
  return decoder.decode(readFileSync(path));
}

/** Reads and parses a JSON file; `fallback` when it does not exist. */
export function readJson<T>(path: string, fallback: T): T {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback;
}

/** A warning expected in a case: a code, or a code and the 1-based line it names. */
export type ExpectedWarning = string | { code: string; line: number };

/** `expected.json` of a case: per selected service, its change codes and warning codes. */
export interface ExpectedReport {
  services: Record<string, { changes: string[]; warnings: ExpectedWarning[] }>;
}

/** One conversion case: `input.yml`, `output.yml`, `options.json`, optional `expected.json`. */
export interface FixtureCase {
  name: string;
  dir: string;
  input: string;
  output: string;
  options: Record<string, unknown>;
  expected: ExpectedReport | null;
}

/** Every case folder under test/fixtures (except `errors/`), sorted by name. */
export function fixtureCases(): FixtureCase[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'errors')
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = join(FIXTURES_DIR, name);
      for (const file of ['input.yml', 'output.yml', 'options.json']) {
        if (!existsSync(join(dir, file))) throw new Error(`fixture ${name} has no ${file}`);
      }
      return {
        name,
        dir,
        input: readExact(join(dir, 'input.yml')),
        output: readExact(join(dir, 'output.yml')),
        options: readJson<Record<string, unknown>>(join(dir, 'options.json'), {}),
        expected: readJson<ExpectedReport | null>(join(dir, 'expected.json'), null),
      };
    });
}

/** Sidecar of an error case `errors/<case>.yml`: the refusal expected from `convert`. */
export interface ExpectedError {
  code: string;
  /** Exact 1-based position, when the case pins it. */
  line?: number;
  column?: number;
  /** True: some position must be given, without pinning it. */
  position?: boolean;
  /** A regular expression the message must match. */
  messageMatches?: string;
  options?: Record<string, unknown>;
}

/** One error case: the input text and its sidecar. */
export interface ErrorCase {
  name: string;
  input: string;
  expected: ExpectedError;
}

/** Every `errors/<case>.yml` with its `<case>.json` sidecar, sorted by name. */
export function errorCases(): ErrorCase[] {
  const dir = join(FIXTURES_DIR, 'errors');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yml'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.yml'.length);
      const sidecar = join(dir, `${name}.json`);
      if (!existsSync(sidecar)) throw new Error(`error case ${name} has no ${name}.json`);
      return { name, input: readExact(join(dir, file)), expected: readJson<ExpectedError>(sidecar, { code: '' }) };
    });
}
