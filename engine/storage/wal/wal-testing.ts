// Helpers shared by the WAL tests and the crash-test child process (not used by production code).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EntryType, type Entry } from '../../raft/types.ts';
import { readRecord } from './wal-record.ts';

/** A fresh directory under the OS temp dir; remove it with removeDirectory. */
export function temporaryDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cairn-${prefix}-`));
}

/** Removes a directory tree, ignoring a missing one. */
export function removeDirectory(directory: string): void {
  fs.rmSync(directory, { recursive: true, force: true });
}

/** The data an entry at `index` carries in tests: its length and bytes derive from the index and term. */
export function entryData(index: number, term: number): Uint8Array {
  const data = new Uint8Array((index * 7) % 61);
  for (let position = 0; position < data.length; position++) data[position] = (index * 31 + term * 17 + position) & 0xff;
  return data;
}

/** An entry whose data is entryData(index, term). */
export function testEntry(index: number, term = 1): Entry {
  return { index, term, type: EntryType.Normal, data: entryData(index, term) };
}

/** Entries `from` to `to` inclusive. */
export function testEntries(from: number, to: number, term = 1): Entry[] {
  const entries: Entry[] = [];
  for (let index = from; index <= to; index++) entries.push(testEntry(index, term));
  return entries;
}

/** The byte offsets of the valid records of a segment file, in order, and where they end. */
export function recordOffsets(file: string): { offsets: number[]; endBytes: number } {
  const buffer = fs.readFileSync(file);
  const offsets: number[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const read = readRecord(buffer, offset, buffer.length);
    if (!read.ok) break;
    offsets.push(offset);
    offset = read.record.next;
  }
  return { offsets, endBytes: offset };
}

/** The segment files of a WAL directory, sorted. */
export function segmentFiles(directory: string): string[] {
  return fs
    .readdirSync(directory)
    .filter((name) => name.endsWith('.wal'))
    .sort()
    .map((name) => path.join(directory, name));
}
