import { createHash } from 'node:crypto';
import { AwsError } from '../../core/aws-error';

const CRC_TABLES = new Map<number, Uint32Array>();

function crcTable(poly: number): Uint32Array {
  let table = CRC_TABLES.get(poly);
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    CRC_TABLES.set(poly, table);
  }
  return table;
}

function crc(poly: number, data: Uint8Array): Buffer {
  const table = crcTable(poly);
  let c = 0xffffffff;
  for (const byte of data) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out;
}

/** Flexible-checksum algorithms the emulator can verify, by their header suffix. */
const ALGORITHMS: Readonly<Record<string, (data: Uint8Array) => Buffer>> = {
  crc32: (d) => crc(0xedb88320, d),
  crc32c: (d) => crc(0x82f63b78, d),
  sha1: (d) => createHash('sha1').update(d).digest(),
  sha256: (d) => createHash('sha256').update(d).digest(),
};

/** A checksum an object was written with (`x-amz-checksum-<algorithm>`), kept to return on reads. */
export interface StoredChecksum {
  readonly algorithm: string;
  readonly value: string;
}

/**
 * Verifies `Content-MD5` and any `x-amz-checksum-*` value against the body, like S3 (BadDigest);
 * returns the flexible checksum to store. Algorithms it cannot compute (crc64nvme) are kept unverified.
 */
export function verifyChecksums(
  headers: Readonly<Record<string, string | undefined>>,
  data: Uint8Array,
): StoredChecksum | undefined {
  const md5 = headers['content-md5'];
  if (md5 !== undefined && createHash('md5').update(data).digest('base64') !== md5) {
    throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  let stored: StoredChecksum | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(name);
    if (!m || value === undefined || m[1] === 'mode' || m[1] === 'algorithm' || m[1] === 'type') continue;
    const compute = ALGORITHMS[m[1]];
    if (compute && compute(data).toString('base64') !== value) {
      throw new AwsError(
        'BadDigest',
        `The ${m[1].toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
    stored = { algorithm: m[1], value };
  }
  return stored;
}

/**
 * Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0\r\n<trailers>\r\n\r\n`),
 * returning the data and trailing headers (where the SDK puts `x-amz-checksum-*` for streams).
 */
export function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  const trailers: Record<string, string> = {};
  const incomplete = (): AwsError =>
    new AwsError('IncompleteBody', 'The request body terminated unexpectedly');
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) throw incomplete();
    const sizeText = body.toString('latin1', pos, eol).split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw incomplete();
    const size = parseInt(sizeText, 16);
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size > body.length) throw incomplete();
    chunks.push(body.subarray(pos, pos + size));
    pos += size + 2;
  }
  for (const line of body.toString('latin1', pos).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(chunks), trailers };
}
