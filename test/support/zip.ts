import { existsSync, readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

// A minimal reader for the one-file zips of data.binance.vision: it parses the first local file
// header and inflates the entry. When the local header defers its sizes to a data descriptor
// (flag bit 3), the sizes come from the central directory instead.

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** Returns the first entry of a zip file, inflated; throws when the file is missing or not a zip. */
export function readFirstZipEntry(path: string): ZipEntry {
  if (!existsSync(path)) throw new Error(`zip file is missing, was looking for '${path}'`);
  const buf = readFileSync(path);
  if (buf.length < 30 || buf.readUInt32LE(0) !== LOCAL_SIG) throw new Error(`'${path}' does not start with a zip local file header`);
  const flags = buf.readUInt16LE(6);
  const method = buf.readUInt16LE(8);
  let compSize = buf.readUInt32LE(18);
  let size = buf.readUInt32LE(22);
  const nameLen = buf.readUInt16LE(26);
  const extraLen = buf.readUInt16LE(28);
  const name = buf.toString('utf8', 30, 30 + nameLen);
  if ((flags & 0x8) !== 0) [compSize, size] = centralSizes(buf, path);
  const start = 30 + nameLen + extraLen;
  const raw = buf.subarray(start, start + compSize);
  let data: Buffer;
  if (method === 0) data = Buffer.from(raw);
  else if (method === 8) data = inflateRawSync(raw);
  else throw new Error(`zip entry '${name}' uses compression method ${method}; only 0 and 8 are supported`);
  if (data.length !== size) throw new Error(`zip entry '${name}' inflated to ${data.length} bytes, header says ${size}`);
  return { name, data };
}

/** Returns [compressed, uncompressed] sizes of the first central directory entry. */
function centralSizes(buf: Buffer, path: string): [number, number] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`'${path}' has no end-of-central-directory record`);
  const cd = buf.readUInt32LE(eocd + 16);
  if (buf.readUInt32LE(cd) !== CENTRAL_SIG) throw new Error(`'${path}' central directory is not where the EOCD says`);
  return [buf.readUInt32LE(cd + 20), buf.readUInt32LE(cd + 24)];
}

/** Returns the rows of a headerless CSV as arrays of fields (no quoting: Binance files have none). */
export function parseCsv(text: string): string[][] {
  return text.split(/\r?\n/).filter((l) => l.length > 0).map((l) => l.split(','));
}
