/** Tar archives for tests, written as Docker writes them (ustar headers with checksums). */

export interface TarMember {
  name: string;
  /** Header type flag: `0` file (default), `5` directory, `L` GNU long name, `x` PAX record. */
  flag?: string;
  /** The body (its length is the size field unless `size` is given). */
  body?: Buffer | string;
  /** The size field as written (octal digits unless `rawSize` is given). */
  size?: number;
  /** The size field's 12 bytes exactly (to write a malformed one). */
  rawSize?: Buffer;
}

/** One 512-byte header with a correct checksum. */
export function tarHeader(member: TarMember): Buffer {
  const body = member.body === undefined ? Buffer.alloc(0) : Buffer.from(member.body);
  const header = Buffer.alloc(512);
  header.write(member.name, 0);
  header.write('0000644\0', 100);
  if (member.rawSize) member.rawSize.copy(header, 124);
  else header.write(`${(member.size ?? body.length).toString(8).padStart(11, '0')}\0`, 124);
  header.write(member.flag ?? '0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A member: its header and its body padded to a whole block. */
export function tarMember(member: TarMember): Buffer {
  const body = member.body === undefined ? Buffer.alloc(0) : Buffer.from(member.body);
  return Buffer.concat([tarHeader(member), body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

/** A whole archive, with the two zero blocks that end it. */
export function tarOf(members: readonly TarMember[]): Buffer {
  return Buffer.concat([...members.map(tarMember), Buffer.alloc(1024)]);
}

/** A PAX extended-header body holding these records. */
export function paxBody(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const text = ` ${key}=${value}\n`;
      let length = text.length + String(text.length).length;
      if (`${length}${text}`.length !== length) length++;
      return `${length}${text}`;
    })
    .join('');
}
