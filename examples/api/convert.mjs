#!/usr/bin/env node
// Drives ro-convert from code: read a compose file, convert one service, print what changed.
//   node examples/api/convert.mjs [compose.yml] [service]
// Run from a checkout (after `npm install`, which builds dist/): the import below resolves
// to this very package through package.json "exports" (a package may import itself by name),
// exactly as it does in a project that has `npm install ro-convert`.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert, ConvertError } from 'ro-convert';

const path = process.argv[2] ?? relative(process.cwd(), fileURLToPath(new URL('../sonarr/compose.yml', import.meta.url)));
const service = process.argv[3] ?? 'sonarr';

let result;
try {
  // convert() does no I/O: the text in, the new text, the report and the diff out.
  result = convert(readFileSync(path, 'utf8'), { services: [service], path });
} catch (error) {
  if (!(error instanceof ConvertError)) throw error;
  // Refusals carry a stable code and, where there is one, a 1-based position.
  console.error(`${path}:${error.line ?? 1}:${error.column ?? 1}: ${error.message} [${error.code}]`);
  process.exit(2);
}

for (const { name, changes, warnings } of result.services) {
  console.log(`${name}:`);
  for (const change of changes) console.log(`  line ${change.line}: ${change.code} - ${change.message}`);
  for (const warning of warnings) console.log(`  warning${warning.line ? ` (line ${warning.line})` : ''}: ${warning.code} - ${warning.message}`);
}
if (!result.serviceNames.includes(service)) console.log(`no service ${service}; the file has: ${result.serviceNames.join(', ')}`);
process.stdout.write(result.changed ? `\n${result.diff}` : '\nunchanged\n');
// To write it back: writeFileSync(path, result.output) (the CLI's --write also does it atomically).
