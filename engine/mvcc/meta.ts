// The MVCC store's records in the 'meta' bucket, under etcd's names and encodings: the consistent index (the
// last applied Raft index, 8 bytes big-endian) and the scheduled and finished compaction revisions (each a
// 17-byte revision with sub 0). A scheduled compaction without a matching finished one resumes on open.
import type { ReadTx, WriteTx } from '../storage/backend/backend.ts';
import { AssertionError } from '../common/assert.ts';
import { decodeRevision, encodeRevision, readUint64, writeUint64 } from './revision.ts';

const consistentIndexKey = Buffer.from('consistent_index');
const scheduledCompactKey = Buffer.from('scheduledCompactRev');
const finishedCompactKey = Buffer.from('finishedCompactRev');

/** Whether `key` (of the 'meta' bucket) is the consistent index record. */
export function isConsistentIndexKey(key: Uint8Array): boolean {
  return Buffer.compare(key, consistentIndexKey) === 0;
}

/** Which compaction record. */
export type CompactionRecord = 'scheduled' | 'finished';

/** The stored consistent index, 0 when none. */
export function readConsistentIndex(tx: ReadTx): number {
  const bytes = tx.get('meta', consistentIndexKey);
  if (bytes === undefined) return 0;
  if (!(bytes.length === 8)) throw new AssertionError(`consistent index record of ${bytes.length} bytes`);
  return readUint64(bytes, 0);
}

/** Stores the consistent index. */
export function writeConsistentIndex(tx: WriteTx, index: number): void {
  const bytes = new Uint8Array(8);
  writeUint64(bytes, 0, index);
  tx.put('meta', consistentIndexKey, bytes);
}

/** The main revision of a compaction record, or undefined when there is none. */
export function readCompactRevision(tx: ReadTx, record: CompactionRecord): number | undefined {
  const bytes = tx.get('meta', record === 'scheduled' ? scheduledCompactKey : finishedCompactKey);
  return bytes === undefined ? undefined : decodeRevision(bytes).main;
}

/** Stores a compaction record. */
export function writeCompactRevision(tx: WriteTx, record: CompactionRecord, revision: number): void {
  tx.put('meta', record === 'scheduled' ? scheduledCompactKey : finishedCompactKey, encodeRevision({ main: revision, sub: 0 }));
}
