import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from '../../common/assert.ts';
import { EntryType } from '../../raft/types.ts';
import { decodeEntry, decodeHardState, decodeSegmentHeader, encodeSave, encodeSegmentStart, walFormatVersion } from './wal-payloads.ts';
import { readRecord, recordHeaderBytes, WalRecordType } from './wal-record.ts';

test('entries and hard states round-trip, including u64 values beyond 32 bits', () => {
  const entry = { term: 2 ** 40 + 3, index: 2 ** 52 + 1, type: EntryType.ConfChangeV2, data: Buffer.from('payload') };
  const hardState = { term: 2 ** 33, vote: 0xffffffffffffffffn, commit: 2 ** 52 };
  const buffer = encodeSave([entry], hardState);
  assert.equal(buffer.length % 8, 0);
  const first = readRecord(buffer, 0, buffer.length);
  assert.ok(first.ok);
  assert.equal(first.record.type, WalRecordType.Entry);
  const decoded = decodeEntry(buffer, first.record.payloadStart, first.record.payloadEnd);
  assert.ok(decoded.ok);
  assert.deepEqual({ ...decoded.value, data: Buffer.from(decoded.value.data) }, entry);
  const second = readRecord(buffer, first.record.next, buffer.length);
  assert.ok(second.ok);
  const state = decodeHardState(buffer, second.record.payloadStart, second.record.payloadEnd);
  assert.ok(state.ok);
  assert.deepEqual(state.value, hardState);
  assert.equal(second.record.next, buffer.length);
});

test('values that are not non-negative safe integers are refused before encoding', () => {
  assert.throws(() => encodeSave([{ term: 1, index: 2 ** 53, type: EntryType.Normal, data: new Uint8Array(0) }], undefined), AssertionError);
  assert.throws(() => encodeSave([], { term: -1, vote: 0n, commit: 0 }), AssertionError);
  assert.throws(() => encodeSave([], { term: 1, vote: -1n, commit: 0 }), AssertionError);
});

test('readRecord rejects zero lengths, unknown types, bad padding and records past the end', () => {
  const start = encodeSegmentStart({ formatVersion: walFormatVersion, sequence: 3, firstIndex: 9 }, Buffer.from('m'), undefined, undefined);
  const header = readRecord(start, 0, start.length);
  assert.ok(header.ok);
  const decoded = decodeSegmentHeader(start, header.record.payloadStart, header.record.payloadEnd);
  assert.deepEqual(decoded, { ok: true, value: { formatVersion: 1, sequence: 3, firstIndex: 9 } });

  assert.deepEqual(readRecord(Buffer.alloc(16), 0, 16), { ok: false, reason: 'zero record length' });
  const cut = readRecord(start, 0, header.record.next - 1);
  assert.equal(cut.ok, false);
  const badPadding = Buffer.from(start);
  badPadding[header.record.next - 1] = 1;
  assert.deepEqual(readRecord(badPadding, 0, badPadding.length), { ok: false, reason: 'non-zero padding' });
  const badType = Buffer.from(start);
  badType[recordHeaderBytes] = 9;
  const typeRead = readRecord(badType, 0, badType.length);
  assert.equal(typeRead.ok, false, 'a changed type byte fails the checksum first');
});
