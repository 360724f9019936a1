import { isMap, isNode, isPair, isScalar, isSeq, parse } from 'yaml';
import type { Document, Node } from 'yaml';

/**
 * Compose v2's local tags as it reads one file (compose-go's reset step, checked with
 * `docker compose config` 2.26): a `!reset` node is dropped (a map pair, a sequence item, a
 * whole service), unless it sits below an `!override` node, where every tag is only a label and
 * the value counts as written (`services: !override` … `read_only: !reset true` runs read-only).
 * `!override` alone changes nothing inside one file; it matters when files are merged.
 */

const RESET = '!reset';
const OVERRIDE = '!override';

const inertResetsOf = new WeakMap<Document, Set<Node>>();

/** The `!reset` nodes of a document that Compose keeps (below an `!override`), from one iterative walk. */
function inertResets(doc: Document): Set<Node> {
  let inert = inertResetsOf.get(doc);
  if (!inert) {
    inert = new Set();
    const stack: [unknown, boolean][] = [[doc.contents, false]];
    while (stack.length) {
      const [node, underOverride] = stack.pop()!;
      if (isPair(node)) {
        stack.push([node.key, underOverride], [node.value, underOverride]);
        continue;
      }
      if (!isNode(node)) continue;
      if (underOverride && node.tag === RESET) inert.add(node);
      const below = underOverride || node.tag === OVERRIDE;
      if (isMap(node) || isSeq(node)) for (const item of node.items) stack.push([item, below]);
    }
    inertResetsOf.set(doc, inert);
  }
  return inert;
}

/** Whether Compose drops `node` (a `!reset` value or item not below an `!override`). */
export function isReset(node: unknown, doc: Document): boolean {
  return isNode(node) && node.tag === RESET && !inertResets(doc).has(node);
}

/** The tag as Compose acts on it: null for none, for another tag, and for a `!reset` it keeps. */
export function composeTag(node: unknown, doc: Document): '!reset' | '!override' | null {
  if (!isNode(node)) return null;
  if (node.tag === OVERRIDE) return OVERRIDE;
  return isReset(node, doc) ? RESET : null;
}

/**
 * Gives plain scalars under `!reset`/`!override` the value YAML's core schema gives them untagged
 * (`yaml` leaves an unknown tag's scalar a string: `!override true` would read as "true"), as
 * Compose reads them. The text is never re-serialised, so only the values the views read change.
 */
export function resolveTaggedScalars(doc: Document, text: string): void {
  if (!text.includes(RESET) && !text.includes(OVERRIDE)) return;
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isPair(node)) stack.push(node.key, node.value);
    else if (isMap(node) || isSeq(node)) stack.push(...node.items);
    else if (isScalar(node) && (node.tag === RESET || node.tag === OVERRIDE) && node.type === 'PLAIN' && typeof node.value === 'string') {
      node.value = taggedScalarValue(node.value);
    }
  }
}

/** The value YAML's core schema gives a plain scalar's text (`true`, `12`, `~`), for a tagged scalar. */
export function taggedScalarValue(source: string): unknown {
  if (source === '') return null;
  try {
    return parse(source) as unknown;
  } catch {
    return source;
  }
}

/** Where the tag of `node` starts in `text` (the value's range leaves it out), or the value's start. */
export function tagStart(node: Node, text: string): number {
  const start = node.range![0];
  if (!node.tag) return start;
  const at = text.lastIndexOf(node.tag, start);
  return at < 0 ? start : at;
}
