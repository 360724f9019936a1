// Reads the member list of a tar stream (what `docker cp CONTAINER:PATH -` prints): names,
// sizes and types, no contents kept. Knows ustar, GNU long names and PAX path records, the
// forms Docker and Podman write.

/** One member of a tar stream. */
export interface TarEntry {
  /** The member's name as stored, without a leading `./` or a trailing `/`. */
  name: string;
  size: number;
  type: 'file' | 'dir' | 'link' | 'other';
  /** The bytes of a regular file (only when asked for with `withContent`). */
  content?: Buffer;
}

const BLOCK = 512;

/**
 * The members of a tar archive, in order.
 * @param withContent keep the bytes of regular files (for small archives, e.g. `/etc/passwd`)
 */
export function listTar(data: Buffer, withContent = false): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | null = null;
  let offset = 0;
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = parseOctal(header.subarray(124, 136));
    const flag = String.fromCharCode(header[156]!);
    const body = data.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'L') {
      longName = cString(body);
      continue;
    }
    if (flag === 'x') {
      longName = paxPath(body) ?? longName;
      continue;
    }
    if (flag === 'g') continue;
    const prefix = cString(header.subarray(345, 500));
    const stored = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    longName = null;
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'dir' : flag === '1' || flag === '2' ? 'link' : 'other';
    const entry: TarEntry = { name: stored.replace(/^\.\//, '').replace(/\/+$/, ''), size: type === 'file' ? size : 0, type };
    if (withContent && type === 'file') entry.content = Buffer.from(body);
    entries.push(entry);
  }
  return entries;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function parseOctal(bytes: Buffer): number {
  const text = cString(bytes).trim();
  return text ? parseInt(text, 8) : 0;
}

/** The `path` record of a PAX extended header (`LEN path=VALUE\n` records). */
function paxPath(body: Buffer): string | null {
  let offset = 0;
  let found: string | null = null;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(body.subarray(offset, space).toString('ascii'), 10);
    if (!(length > 0)) break;
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    if (record.startsWith('path=')) found = record.slice(5);
    offset += length;
  }
  return found;
}
