// A read-only reader of bbolt database files (the backend of a real etcd, and so of `etcdctl snapshot save`'s
// files from one), enough to list buckets and walk their keys in order. bbolt's layout (go.etcd.io/bbolt, native
// byte order, little-endian on every platform etcd ships for):
//   page      id u64 | flags u16 (branch 0x01, leaf 0x02, meta 0x04, freelist 0x10) | count u16 | overflow u32
//             | elements; a page spans 1 + overflow pages of the database's page size
//   meta      (pages 0 and 1, after the header) magic u32 0xED0CDAED | version u32 (2) | page size u32 | flags u32
//             | root bucket {root pgid u64, sequence u64} | freelist u64 | high-water pgid u64 | txid u64
//             | checksum u64 (FNV-1a 64 of the 56 bytes before it); the valid meta with the higher txid is current
//   branch    element {pos u32, ksize u32, pgid u64}: key at element + pos; children in key order
//   leaf      element {flags u32 (bucket 0x01), pos u32, ksize u32, vsize u32}: key then value at element + pos
//   bucket    a leaf value {root pgid u64, sequence u64}; root 0 means an inline bucket whose page follows
// Every offset read is checked against its page, so a damaged file fails with a message instead of wrong data.
import fs from 'node:fs';

const pageHeaderBytes = 16;
const elementBytes = 16;
const bucketHeaderBytes = 16;
const bboltMagic = 0xed0cdaed;
const bboltVersion = 2;
const metaChecksumOffset = 56;
const branchFlag = 0x01;
const leafFlag = 0x02;
const bucketFlag = 0x01;
/** Deepest B+tree accepted; a cycle in a damaged file must not recurse forever. */
const treeDepthMax = 64;

/** A key/value pair of a bucket (a nested bucket's value is its header). */
export interface BboltEntry {
  key: Buffer;
  value: Buffer;
  isBucket: boolean;
}

/** A damaged or unsupported bbolt file. */
export class BboltFormatError extends Error {
  override name = 'BboltFormatError';
}

/** FNV-1a 64 (Go's hash/fnv New64a), for the meta page checksum. */
function fnv64a(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

interface Meta {
  pageSize: number;
  rootPgid: bigint;
  highWaterPgid: bigint;
  txid: bigint;
}

function readMeta(page: Buffer): Meta | undefined {
  const meta = page.subarray(pageHeaderBytes);
  if (meta.length < metaChecksumOffset + 8) return undefined;
  if (meta.readUInt32LE(0) !== bboltMagic || meta.readUInt32LE(4) !== bboltVersion) return undefined;
  const checksum = meta.readBigUInt64LE(metaChecksumOffset);
  if (checksum !== 0n && checksum !== fnv64a(meta.subarray(0, metaChecksumOffset))) return undefined;
  return { pageSize: meta.readUInt32LE(8), rootPgid: meta.readBigUInt64LE(16), highWaterPgid: meta.readBigUInt64LE(40), txid: meta.readBigUInt64LE(48) };
}

/** An open bbolt file. Use `open`, then `close` when done. */
export class BboltReader {
  private constructor(
    private readonly fd: number,
    private readonly sizeBytes: number,
    private readonly meta: Meta,
  ) {}

  /** Opens `file`, whose first `sizeBytes` bytes are the database (a snapshot's sha256 trailer excluded). */
  static open(file: string, sizeBytes: number): BboltReader {
    const fd = fs.openSync(file, 'r');
    try {
      const first = Buffer.alloc(4096);
      fs.readSync(fd, first, 0, first.length, 0);
      const meta0 = readMeta(first);
      const pageSize = meta0?.pageSize ?? 4096;
      if (pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0) throw new BboltFormatError(`bbolt page size ${pageSize} is not a power of two between 512 and 65536`);
      const second = Buffer.alloc(pageSize);
      fs.readSync(fd, second, 0, pageSize, pageSize);
      const meta1 = readMeta(second);
      const candidates = [meta0, meta1].filter((meta): meta is Meta => meta !== undefined && meta.pageSize === pageSize);
      if (candidates.length === 0) throw new BboltFormatError('neither bbolt meta page is valid (bad magic, version or checksum)');
      const current = candidates.reduce((best, meta) => (meta.txid > best.txid ? meta : best));
      return new BboltReader(fd, sizeBytes, current);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** The database page size in bytes. */
  get pageSize(): number {
    return this.meta.pageSize;
  }

  /** The size of the database in use, as bbolt's Tx.Size(): high-water page id times the page size. */
  get usedBytes(): number {
    return Number(this.meta.highWaterPgid) * this.meta.pageSize;
  }

  /** The top-level bucket names, in key order. */
  bucketNames(): Buffer[] {
    const names: Buffer[] = [];
    this.walk(this.page(this.meta.rootPgid), 0, (entry) => {
      if (entry.isBucket) names.push(entry.key);
    });
    return names;
  }

  /** Calls `visit` for every entry of the top-level bucket `name`, in key order; false when there is no such bucket. */
  forEach(name: Buffer | string, visit: (entry: BboltEntry) => void): boolean {
    const wanted = typeof name === 'string' ? Buffer.from(name) : name;
    let header: Buffer | undefined;
    this.walk(this.page(this.meta.rootPgid), 0, (entry) => {
      if (entry.isBucket && entry.key.equals(wanted)) header = entry.value;
    });
    if (header === undefined) return false;
    if (header.length < bucketHeaderBytes) throw new BboltFormatError(`bucket ${wanted.toString()} has a ${header.length}-byte header`);
    const root = header.readBigUInt64LE(0);
    const page = root === 0n ? header.subarray(bucketHeaderBytes) : this.page(root);
    this.walk(page, 0, visit);
    return true;
  }

  /** Closes the file. */
  close(): void {
    fs.closeSync(this.fd);
  }

  /** The whole page `pgid` (with its overflow pages). */
  private page(pgid: bigint): Buffer {
    const pageSize = this.meta.pageSize;
    const offset = Number(pgid) * pageSize;
    if (pgid < 2n || pgid >= this.meta.highWaterPgid || offset + pageSize > this.sizeBytes) {
      throw new BboltFormatError(`page ${pgid} is outside the database (${this.meta.highWaterPgid} pages, ${this.sizeBytes} bytes)`);
    }
    const header = Buffer.alloc(pageHeaderBytes);
    fs.readSync(this.fd, header, 0, pageHeaderBytes, offset);
    if (header.readBigUInt64LE(0) !== pgid) throw new BboltFormatError(`page ${pgid} says it is page ${header.readBigUInt64LE(0)}`);
    const bytes = (header.readUInt32LE(12) + 1) * pageSize;
    if (offset + bytes > this.sizeBytes) throw new BboltFormatError(`page ${pgid} overflows the end of the database`);
    const page = Buffer.alloc(bytes);
    fs.readSync(this.fd, page, 0, bytes, offset);
    return page;
  }

  /** Visits the leaf entries below `page` in key order. */
  private walk(page: Buffer, depth: number, visit: (entry: BboltEntry) => void): void {
    if (depth > treeDepthMax) throw new BboltFormatError('bbolt tree is deeper than any real database (a cycle?)');
    if (page.length < pageHeaderBytes) throw new BboltFormatError('bbolt page cut short');
    const flags = page.readUInt16LE(8);
    const count = page.readUInt16LE(10);
    if (pageHeaderBytes + count * elementBytes > page.length) throw new BboltFormatError(`page ${page.readBigUInt64LE(0)} has more elements than fit`);
    for (let index = 0; index < count; index++) {
      const at = pageHeaderBytes + index * elementBytes;
      if (flags & branchFlag) {
        this.walk(this.page(page.readBigUInt64LE(at + 8)), depth + 1, visit);
      } else if (flags & leafFlag) {
        const keyAt = at + page.readUInt32LE(at + 4);
        const keyEnd = keyAt + page.readUInt32LE(at + 8);
        const valueEnd = keyEnd + page.readUInt32LE(at + 12);
        if (valueEnd > page.length) throw new BboltFormatError(`an entry of page ${page.readBigUInt64LE(0)} runs past its end`);
        visit({ key: Buffer.from(page.subarray(keyAt, keyEnd)), value: Buffer.from(page.subarray(keyEnd, valueEnd)), isBucket: (page.readUInt32LE(at) & bucketFlag) !== 0 });
      } else {
        throw new BboltFormatError(`page ${page.readBigUInt64LE(0)} is neither a branch nor a leaf (flags ${flags})`);
      }
    }
  }
}
