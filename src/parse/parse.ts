import { isCollection, isMap, isPair, isScalar, isSeq, Parser, parseDocument, visit } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { ConvertError } from './errors.js';
import { createLayout } from './layout.js';
import type { Layout } from './layout.js';
import { aliasTargets, effectivePair, isMergeKey, keyName, resolveNode } from './yaml-nodes.js';
import { resolveTaggedScalars } from './compose-tags.js';

/** A compose file parsed for editing: the document, its `services` map, and its text layout. */
export interface ParsedCompose {
  text: string;
  doc: Document.Parsed;
  root: YAMLMap;
  services: YAMLMap;
  layout: Layout;
  /** Whether the document has any alias (most files have none: then nothing can be shared). */
  hasAliases: boolean;
}

/**
 * `uniqueKeys` is checked by firstDuplicateKey instead: `yaml` compares each key with every
 * earlier one of its map, a fifth of a parse on real files.
 */
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false, strict: true } as const;

/**
 * Parses compose text, refusing what ro-convert cannot edit safely: binary text, several
 * documents, YAML errors (tabs, duplicate keys…), and files that are not Compose files
 * with a `services` mapping. Aliases are never expanded, so alias bombs cost nothing.
 * @throws ConvertError with the position of the problem
 */
export function parseCompose(text: string): ParsedCompose {
  const layout = createLayout(text);
  const nul = text.indexOf('\0');
  if (nul >= 0) throw at(layout, nul, 'binary', 'binary file (contains a NUL byte), not a compose file');
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) throw at(layout, bad, 'not-utf8', 'not UTF-8 text');
  // YAML reads a lone CR as a line break; ro-convert's edits work in LF and CRLF lines only.
  const cr = text.search(/\r(?!\n)/);
  if (cr >= 0) throw at(layout, cr, 'lone-cr', 'a line ends in a lone CR (old Mac line endings); convert the file to LF or CRLF first');
  const doc = parseNested(text, layout);
  const error = doc.errors[0];
  if (error) {
    if (error.code === 'MULTIPLE_DOCS') {
      throw at(layout, error.pos[0], 'multiple-documents', 'several YAML documents in one file; ro-convert edits a single compose document');
    }
    // `yaml` composes nested collections recursively: past some hundreds of levels it runs out of
    // stack (fewer in a browser's worker than in Node).
    if (error.message.includes('Maximum call stack size exceeded')) throw tooDeep(layout, text);
    throw at(layout, error.pos[0], 'invalid-yaml', `invalid YAML: ${firstLine(error.message)}`);
  }
  if (nodeDeeperThan(doc.contents, MAX_DEPTH)) throw tooDeep(layout, text);
  const duplicate = firstDuplicateKey(doc.contents);
  if (duplicate) throw at(layout, duplicate.range?.[0] ?? 0, 'invalid-yaml', 'invalid YAML: Map keys must be unique');
  // `yaml` leaves an alias to an undefined anchor for later; Compose refuses it, and so do we.
  // An alias needs a `*`; most compose files have none and skip the walk.
  const aliases = text.includes('*') ? aliasTargets(doc) : new Map();
  for (const [alias, target] of aliases) {
    if (!target) throw at(layout, alias.range?.[0] ?? 0, 'invalid-yaml', `invalid YAML: alias *${alias.source} names no anchor`);
  }
  // Compose (and every YAML reader that merges) refuses a merge key whose source is not a mapping.
  if (text.includes('<<')) {
    visit(doc, {
      Pair(_, pair) {
        if (!isMergeKey(pair)) return;
        const value = resolveNode(pair.value, doc);
        const sources = isSeq(value) ? value.items.map((item) => resolveNode(item, doc)) : [value];
        const bad = sources.find((source) => !isMap(source));
        if (bad !== undefined) {
          const where = (pair.key as Node).range?.[0] ?? 0;
          throw at(layout, where, 'invalid-yaml', 'invalid YAML: a merge key (<<) takes a mapping or a list of mappings');
        }
      },
    });
  }
  resolveTaggedScalars(doc, text);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) throw new ConvertError('empty-file', 'empty file: no compose document', 1, 1);
  if (!isMap(root)) throw at(layout, root.range?.[0] ?? 0, 'top-level-not-mapping', 'the top level is not a mapping, so this is not a compose file');
  // `services` may come through a top-level merge key (`<<: *base`), as Compose reads it.
  const servicesPair = effectivePair(root, 'services', doc)?.pair;
  if (!servicesPair) {
    const v1 = root.items.some((pair) => {
      const value = resolveNode(pair.value, doc);
      return isMap(value) && value.items.some((p) => ['image', 'build'].includes(keyName(p) ?? ''));
    });
    if (v1) throw new ConvertError('compose-v1', 'no services: this looks like the old Compose v1 format (services at the top level); move them under `services:` first', 1, 1);
    throw new ConvertError('no-services', 'no `services` key: not a compose file', 1, 1);
  }
  const services = resolveNode(servicesPair.value, doc);
  const keyAt = (servicesPair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
  if (services === null || (isScalar(services) && services.value === null)) throw at(layout, keyAt, 'services-null', '`services` is empty (null)');
  if (!isMap(services)) throw at(layout, keyAt, 'services-not-mapping', '`services` is not a mapping');
  return { text, doc, root, services, layout, hasAliases: aliases.size > 0 };
}

/**
 * `parseDocument`, with a file nested too deep for yaml's parser refused as `too-deep`: its CST
 * parser recurses on nested block collections and throws past some thousands of levels (the
 * composer's overflow on flow collections comes back as a document error instead).
 */
function parseNested(text: string, layout: Layout): Document.Parsed {
  try {
    return parseDocument(text, PARSE_OPTIONS);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(layout, text);
    throw error;
  }
}

/**
 * Collections nested deeper than this are refused, whatever the parser managed: every later
 * step (the views, the verifier's second parser) then has stack to spare, in Node and in a
 * browser's worker alike (whose stack is smaller: the playground gives the CLI's answers).
 * Compose itself reads deeper files (9,000 levels); no real compose file comes near this.
 */
const MAX_DEPTH = 200;

/**
 * The refusal of a file nested too deep, at the first collection past the limit in document
 * order. Found on yaml's CST, whose parser keeps its own stack: the same place wherever the
 * composer ran out of stack. Only files already found too deep pay for this second parse.
 */
function tooDeep(layout: Layout, text: string): ConvertError {
  return at(layout, firstTooDeep(text), 'too-deep', `nesting deeper than ${MAX_DEPTH} levels is not supported (the file may be valid: ro-convert does not convert it)`);
}

const CST_COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

function firstTooDeep(text: string): number {
  try {
    return firstTooDeepOnCst(text);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  // yaml's parser itself ran out of stack: the first collection past the limit lies in the
  // longest start of the text it parses (cut anywhere, a start still parses; the parser never
  // fails on text, only on depth), found by bisection.
  // (The answer is kept from the parse that gave it: how deep the parser gets varies from one
  // call to the next, as the engine optimises its frames.)
  let parsed = 0;
  let failed = text.length;
  let found = 0;
  while (failed - parsed > 1) {
    const middle = Math.floor((parsed + failed) / 2);
    try {
      found = firstTooDeepOnCst(text.slice(0, middle));
      parsed = middle;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      failed = middle;
    }
  }
  return found;
}

/** The offset of the first collection past the limit on yaml's CST, 0 when none is. */
function firstTooDeepOnCst(text: string): number {
  type Token = { type: string; offset: number; value?: Token; items?: { key?: Token | null; value?: Token | null }[] };
  const stack: [Token, number][] = [];
  for (const token of new Parser().parse(text)) if (token.type === 'document') stack.push([token as unknown as Token, -1]);
  stack.reverse();
  while (stack.length) {
    const [token, depth] = stack.pop()!;
    const collection = CST_COLLECTIONS.has(token.type);
    if (collection && depth >= MAX_DEPTH) return token.offset;
    const children: Token[] = token.type === 'document' ? (token.value ? [token.value] : []) : collection ? (token.items ?? []).flatMap((item) => [item.key, item.value].filter((t): t is Token => Boolean(t))) : [];
    const next = collection ? depth + 1 : depth;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, token.type === 'document' ? 0 : next]);
  }
  return 0;
}

/** The first node nested deeper than `max` collections, found without recursion; null when none is. */
function nodeDeeperThan(root: unknown, max: number): Node | null {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth >= max) return node;
    for (const item of node.items) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return null;
}

/**
 * The first key that repeats an earlier scalar key of its map (what `yaml`'s uniqueKeys refuses),
 * depth first. Only collections are entered: scalars and aliases hold no keys.
 */
function firstDuplicateKey(node: unknown): Node | null {
  if (isSeq(node)) {
    for (const item of node.items) {
      const found = isCollection(item) ? firstDuplicateKey(item) : null;
      if (found) return found;
    }
  } else if (isMap(node)) {
    const { items } = node;
    // Most maps are small: comparing with the earlier keys there allocates nothing.
    const keys = items.length > SMALL_MAP ? new Set<unknown>() : null;
    for (let i = 0; i < items.length; i++) {
      const { key, value } = items[i]!;
      if (isScalar(key)) {
        if (!Number.isNaN(key.value)) {
          if (keys ? keys.has(key.value) : repeatsEarlierKey(items, i, key.value)) return key;
          keys?.add(key.value);
        }
      } else if (isCollection(key)) {
        const found = firstDuplicateKey(key);
        if (found) return found;
      }
      const found = isCollection(value) ? firstDuplicateKey(value) : null;
      if (found) return found;
    }
  }
  return null;
}

const SMALL_MAP = 16;

function repeatsEarlierKey(items: YAMLMap['items'], index: number, value: unknown): boolean {
  for (let j = 0; j < index; j++) {
    const earlier = items[j]!.key;
    if (isScalar(earlier) && earlier.value === value) return true;
  }
  return false;
}

function at(layout: Layout, offset: number, code: ConstructorParameters<typeof ConvertError>[0], message: string): ConvertError {
  const { line, column } = layout.position(offset);
  return new ConvertError(code, message, line, column);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
