// Streams Maintenance.Snapshot into a file: chunks are written as they arrive (a multi-GiB backend never sits in
// memory), progress is reported per chunk, and the trailing sha256 that etcd appends is checked before the file
// is kept. A failed or corrupt download leaves no file behind.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EtcdConnection } from '../etcd/etcd-connection.ts';
import type { SnapshotResponse__Output } from '../../../engine/proto/generated/etcdserverpb/SnapshotResponse.ts';

/** Bytes of the sha256 trailer etcd appends to a snapshot stream. */
const digestBytes = 32;

/** Longest pause between two chunks before the download is abandoned, in milliseconds. */
const chunkIdleTimeoutMs = 60_000;

/** What a finished download measured. */
export interface DownloadedSnapshot {
  sizeBytes: number;
  revision: number;
  sha256: string;
}

/** Downloads a snapshot from the connection's current endpoint into `file`. */
export async function downloadSnapshot(connection: EtcdConnection, file: string, onProgress: (bytesDone: number, bytesTotal: number | null) => void): Promise<DownloadedSnapshot> {
  const channel = connection.channel();
  const metadata = await connection.streamMetadata(channel);
  const temporary = `${file}.part`;
  // The folder may not exist yet (a first snapshot into the library, or a folder removed since it was chosen).
  fs.mkdirSync(path.dirname(temporary), { recursive: true });
  const output = fs.createWriteStream(temporary, { mode: 0o600 });
  // A write failure (disk full, folder gone) must end the download as an error value, never as an uncaught
  // 'error' event; the first one is kept and raised where the stream is awaited.
  let writeError: Error | undefined;
  output.on('error', (error) => (writeError ??= error));
  const whole = createHash('sha256');
  const body = createHash('sha256');
  let pendingTail = Buffer.alloc(0);
  let bytes = 0;
  let revision = 0;
  let total: number | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = channel.services.maintenance.snapshot({}, metadata);
      let idle = setTimeout(() => stream.cancel(), chunkIdleTimeoutMs);
      output.on('error', (error) => {
        clearTimeout(idle);
        stream.cancel();
        reject(error);
      });
      stream.on('data', (response: SnapshotResponse__Output) => {
        clearTimeout(idle);
        idle = setTimeout(() => stream.cancel(), chunkIdleTimeoutMs);
        revision ||= Number(response.header?.revision ?? 0);
        const blob = response.blob;
        total ??= blob.length + Number(response.remaining_bytes);
        // Everything but the last 32 bytes is the backend; hold back a tail until we know which bytes are last.
        const joined = Buffer.concat([pendingTail, blob]);
        const keep = Math.max(0, joined.length - digestBytes);
        body.update(joined.subarray(0, keep));
        pendingTail = Buffer.from(joined.subarray(keep));
        whole.update(blob);
        bytes += blob.length;
        if (!output.write(blob)) {
          stream.pause();
          output.once('drain', () => stream.resume());
        }
        onProgress(bytes, total);
      });
      stream.on('error', (error) => {
        clearTimeout(idle);
        reject(error);
      });
      stream.on('end', () => {
        clearTimeout(idle);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => {
      const failure = error ?? writeError;
      if (failure) reject(failure);
      else resolve();
    }));
    if (bytes < digestBytes || !body.digest().equals(pendingTail)) {
      throw new Error('the snapshot failed its integrity check (its sha256 trailer does not match): the download is incomplete or corrupt');
    }
    fs.renameSync(temporary, file);
    return { sizeBytes: bytes, revision, sha256: whole.digest('hex') };
  } catch (error) {
    output.destroy();
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
