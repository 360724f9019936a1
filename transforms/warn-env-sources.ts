import type { Warning } from '../src/plan/diagnostics.js';
import { envFileNames, envFileRefs } from '../src/model/env-files.js';
import { mappedValue } from '../src/model/effective-service.js';
import type { ServiceContext, TransformResult } from '../src/plan/transform.js';
import { extendsRef } from '../src/model/service-values.js';
import { keptThroughExtends } from './extends-env.js';
import { keyNode, listText, lsioName, warningAt, warningsOnly } from './warn-helpers.js';

/**
 * Variables the conversion cannot see: files named in `env_file:` (read when the caller
 * supplied them: a file that sets a stripped variable is named with those variables; a file
 * that sets none gets no warning) and an `extends:` base, in this file or in another one the
 * caller read (checked), or in one it could not read. Only for services that have variables to strip.
 */
export function warnEnvSources(ctx: ServiceContext): TransformResult {
  if (ctx.strip.empty) return warningsOnly([]);
  return warningsOnly([...envFileWarnings(ctx), ...extendsWarnings(ctx)]);
}

/** `if it sets PUID, PGID, UMASK or DOCKER_MODS`: what to look for in a file ro-convert cannot read. */
function ifItSets(ctx: ServiceContext): string {
  const known = ['PUID', 'PGID', 'UMASK', 'DOCKER_MODS'].filter((n) => ctx.strip.has(n));
  const names = known.length === 4 ? 'PUID, PGID, UMASK or DOCKER_MODS' : known.length && lsioName(ctx) ? known.join(', ') : 'variables ro-convert strips';
  return `if it sets ${names}, remove them there`;
}

function envFileWarnings(ctx: ServiceContext): Warning[] {
  if (ctx.related?.projectEnvFiles) return [];
  return envFileRefs(mappedValue(ctx.service.view, 'env_file'), ctx.doc).flatMap((ref): Warning[] => {
    const text = ctx.related?.envFile(ref.path);
    if (typeof text === 'string') {
      const stripped = envFileNames(text).filter((name) => ctx.strip.has(name));
      if (stripped.length === 0) return [];
      const those = stripped.length === 1 ? 'which no longer applies' : 'which no longer apply';
      return [warningAt(ctx, 'env-file', `env_file ${ref.path} sets ${listText(stripped)}, ${those}; remove ${stripped.length === 1 ? 'it' : 'them'} there (ro-convert edits only the compose file)`, ref.node)];
    }
    const why = text === null ? 'was not found next to the compose file' : ref.path.includes('$') ? 'is only known at run time' : 'is not read by ro-convert';
    return [warningAt(ctx, 'env-file', `env_file ${ref.path} ${why}; ${ifItSets(ctx)}`, ref.node)];
  });
}

function extendsWarnings(ctx: ServiceContext): Warning[] {
  const ref = extendsRef(mappedValue(ctx.service.view, 'extends'), ctx.doc);
  if (!ref) return [];
  const at = keyNode(ctx, 'extends');
  const { base: view } = ctx.service.view;
  if (ref.file && !view) {
    const text = ctx.related?.extendsFiles?.read(ref.file);
    const why = typeof text === 'string' ? `has no service ${ref.service} ro-convert can read` : text === null ? 'was not found next to the compose file' : ref.file.includes('$') ? 'is only known at run time' : 'ro-convert does not read';
    return [warningAt(ctx, 'extends', `extends ${ref.service} in ${ref.file}, which ${why}; ${ifItSets(ctx).replace('it sets', 'that service sets')}`, at)];
  }
  // A base of another file is named with its file, as its variables' keeper is.
  const base = view?.name ?? ref.service;
  const kept = keptThroughExtends(ctx);
  if (kept.length === 0) return [];
  const names = [...new Set(kept.map((e) => e.name))];
  const keepers = [...new Set(kept.map((e) => e.keeper))];
  const [them, stay, removed] = names.length === 1 ? ['it', 'it stays', 'it is'] : ['them', 'they stay', 'they are'];
  const where = keepers.length === 1 && keepers[0] === base ? '' : ` (kept by ${listText(keepers)})`;
  const converted = `${listText(keepers)} ${keepers.length === 1 ? 'is' : 'are'} converted too`;
  return [
    warningAt(ctx, 'extends', `extends ${base}, which gives it ${listText(names)}${where}: Compose merges environment by variable name, so no environment written on this service can drop ${them}; ${stay} set (ignored read-only) unless ${converted} or ${removed} removed there`, at),
  ];
}
