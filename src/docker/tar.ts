// Reads the member list of a tar stream (what `docker cp CONTAINER:PATH -` prints) as it
// arrives: names, sizes and types, file bodies skipped unless asked for, so an archive of any
// size is counted in constant memory. Knows ustar, GNU long names, GNU base-256 sizes and PAX
// `path`/`size` records, the forms Docker and Podman write. The stream comes from a container:
// a header that does not parse (a negative, non-finite or unreadable size, a bad checksum) or
// an archive cut short is an error, never a guess.

/** One member of a tar stream. */
export interface TarEntry {
  /** The member's name as stored, without a leading `./` or a trailing `/`. */
  name: string;
  size: number;
  type: 'file' | 'dir' | 'link' | 'other';
  /** The bytes of a regular file (only when asked for with `contentLimit`). */
  content?: Buffer;
}

/** The stream is not a tar archive as Docker writes one. */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

const BLOCK = 512;
/** GNU long-name and PAX bodies are names and a few numbers: anything larger is not one. */
const MAX_META = 1 << 20;
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * A push parser: feed it chunks in order, then call {@link end}. Memory is one header, the
 * current long-name or PAX body, and the content of a file kept with `contentLimit`.
 */
export class TarReader {
  readonly entries: TarEntry[] = [];
  /** Set once the end-of-archive block is read: nothing after it is looked at. */
  done = false;
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** The member whose body is being read (or skipped), with the bytes still to come. */
  private body: { entry: TarEntry | null; meta: 'L' | 'x' | null; remaining: number; padding: number; kept: Buffer[] | null } | null = null;
  private longName: string | null = null;
  private paxSize: number | null = null;

  /** @param contentLimit keep the bytes of regular files up to this size (e.g. `/etc/passwd`) */
  constructor(private readonly contentLimit = 0) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.done) {
      if (this.body) {
        const { body } = this;
        const take = Math.min(body.remaining + body.padding, chunk.length - offset);
        const data = Math.min(take, body.remaining);
        if (body.kept && data > 0) body.kept.push(chunk.subarray(offset, offset + data));
        body.remaining -= data;
        body.padding -= take - data;
        offset += take;
        if (body.remaining === 0 && body.padding === 0) this.finishBody();
        continue;
      }
      const take = Math.min(BLOCK - this.headerFill, chunk.length - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + take);
      this.headerFill += take;
      offset += take;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.readHeader();
      }
    }
  }

  /** The stream ended: it must end between members. */
  end(): TarEntry[] {
    if (!this.done && (this.body || this.headerFill !== 0)) throw new TarError('the archive is cut short');
    return this.entries;
  }

  private readHeader(): void {
    const header = this.header;
    if (header.every((byte) => byte === 0)) {
      this.done = true;
      return;
    }
    if (!checksumMatches(header)) throw new TarError('a header with a wrong checksum');
    const flag = String.fromCharCode(header[156]!);
    const stored = this.paxSize ?? parseSize(header.subarray(124, 136));
    this.paxSize = null;
    if (flag === 'L' || flag === 'x' || flag === 'g' || flag === 'K') {
      if (stored > MAX_META) throw new TarError(`a ${flag === 'x' || flag === 'g' ? 'PAX' : 'long-name'} record of ${stored} bytes`);
      const meta = flag === 'L' || flag === 'x' ? flag : null;
      this.startBody(null, meta, stored, meta !== null);
      return;
    }
    const prefix = cString(header.subarray(345, 500));
    const name = this.longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    this.longName = null;
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'dir' : flag === '1' || flag === '2' ? 'link' : 'other';
    // Links, devices, directories and FIFOs carry no body whatever their size field says (as
    // Go's archive/tar, which Docker writes with, reads them).
    const bodySize = HEADER_ONLY.has(flag) ? 0 : stored;
    const entry: TarEntry = { name: name.replace(/^\.\//, '').replace(/\/+$/, ''), size: type === 'file' ? stored : 0, type };
    this.entries.push(entry);
    this.startBody(entry, null, bodySize, type === 'file' && stored <= this.contentLimit);
  }

  private startBody(entry: TarEntry | null, meta: 'L' | 'x' | null, size: number, keep: boolean): void {
    this.body = { entry, meta, remaining: size, padding: (BLOCK - (size % BLOCK)) % BLOCK, kept: keep ? [] : null };
    if (size === 0) this.finishBody();
  }

  private finishBody(): void {
    const { entry, meta, kept } = this.body!;
    this.body = null;
    const bytes = kept ? Buffer.concat(kept) : null;
    if (meta === 'L') this.longName = cString(bytes!);
    else if (meta === 'x') {
      const records = paxRecords(bytes!);
      if (records.path !== undefined) this.longName = records.path;
      if (records.size !== undefined) this.paxSize = records.size;
    } else if (entry && bytes) entry.content = bytes;
  }
}

/** The members of a whole tar archive in memory, in order (see {@link TarReader}). */
export function listTar(data: Buffer, contentLimit = 0): TarEntry[] {
  const reader = new TarReader(contentLimit);
  reader.push(data);
  return reader.end();
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

/** The header's checksum: the sum of its bytes with the checksum field read as spaces. */
function checksumMatches(header: Buffer): boolean {
  const field = cString(header.subarray(148, 156)).trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return parseInt(field, 8) === sum;
}

/** An octal size field, or GNU's base-256 form (high bit set) for sizes past 8 GiB. */
function parseSize(field: Buffer): number {
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new TarError('a member with a negative size');
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return safeSize(value);
  }
  const text = cString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`a member size that is not a number (${JSON.stringify(text)})`);
  return safeSize(parseInt(text, 8));
}

function safeSize(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new TarError('a member size out of range');
  return value;
}

/** The `path` and `size` records of a PAX extended header (`LEN key=VALUE\n` records). */
function paxRecords(body: Buffer): { path?: string; size?: number } {
  const found: { path?: string; size?: number } = {};
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const space = body.indexOf(0x20, offset);
    const length = space === -1 ? NaN : Number(body.subarray(offset, space).toString('ascii'));
    if (!Number.isSafeInteger(length) || length <= space - offset || offset + length > body.length) throw new TarError('a PAX record that does not parse');
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    if (record.startsWith('path=')) found.path = record.slice(5);
    if (record.startsWith('size=')) {
      if (!/^\d+$/.test(record.slice(5))) throw new TarError('a PAX size that is not a number');
      found.size = safeSize(Number(record.slice(5)));
    }
    offset += length;
  }
  return found;
}
