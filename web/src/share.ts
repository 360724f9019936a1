/**
 * Share links: the page's input kept in the URL's fragment (the part after `#`, which browsers
 * never send to a server), compressed with the browser's own deflate (CompressionStream).
 * Values of secret-looking variables are masked first, as `ro-convert --redact` masks them:
 * a link ends up in browser histories and chats.
 */
import { redactLine } from '../../src/report/redact.js';
import type { PageInput, SelectionMode } from './protocol.js';

/** The fragment's prefix; the version lets a later page read older links. */
const PREFIX = 'ro1.';
const MODES: readonly SelectionMode[] = ['all', 'supported', 'services'];

/** The text with the values of secret-looking variables masked (`***`), line by line as `--redact` does. */
export function redactText(text: string): string {
  return text.split('\n').map(redactLine).join('\n');
}

/** The fragment (without `#`) that keeps `input`, its secret-looking values masked. */
export async function shareFragment(input: PageInput): Promise<string> {
  const json = JSON.stringify({ ...input, text: redactText(input.text) });
  const compressed = await pipe(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  return PREFIX + toBase64Url(compressed);
}

/** The input a fragment keeps; null when the fragment is not a share link this page can read. */
export async function readFragment(fragment: string): Promise<PageInput | null> {
  const body = fragment.replace(/^#/, '');
  if (!body.startsWith(PREFIX)) return null;
  try {
    const json = new TextDecoder().decode(await pipe(fromBase64Url(body.slice(PREFIX.length)), new DecompressionStream('deflate-raw')));
    return asPageInput(JSON.parse(json));
  } catch {
    return null;
  }
}

/** A parsed value checked field by field: a link is text from anywhere. */
function asPageInput(value: unknown): PageInput | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (typeof v.text !== 'string' || !MODES.includes(v.mode as SelectionMode) || !strings(v.services) || !strings(v.keepEnv) || !strings(v.stripEnv) || typeof v.strict !== 'boolean') return null;
  return { text: v.text, mode: v.mode as SelectionMode, services: v.services as string[], keepEnv: v.keepEnv as string[], stripEnv: v.stripEnv as string[], strict: v.strict };
}

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
