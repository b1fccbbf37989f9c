// Uploads one MsgSnap and its payload to a peer: POST /raft/snapshot with the handshake headers and a body of
// frames (the message, payload chunks, and an end frame with the payload's size and CRC-32C). The payload is
// read from the host's iterator one chunk at a time and written only as fast as the socket drains, so memory
// stays at a chunk or two whatever the size of the backend.
import { once } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { PeerTlsOptions } from './peer-tls.ts';
import { Crc32c } from '../common/crc32c.ts';
import { peerResponseBytesMax } from '../common/limits.ts';
import { etcdServerVersion } from '../common/version.ts';
import type { Message } from '../raft/types.ts';
import { chunkHeader, messageFrame, snapshotEndFrame } from './frames.ts';
import { handshakeHeaders, type HandshakeIdentity } from './handshake.ts';
import type { PeerCounters } from './peer-counters.ts';
import { peerRequest, readBodyText } from './peer-request.ts';
import type { PeerUrl } from './peer-url.ts';

/** The path of the snapshot endpoint. */
export const snapshotPath = '/raft/snapshot';

/** One snapshot upload. */
export interface SnapshotUpload {
  url: PeerUrl;
  tls: PeerTlsOptions | undefined;
  identity: HandshakeIdentity;
  message: Message;
  payload: AsyncIterable<Uint8Array>;
  chunkBytesMax: number;
  idleTimeoutMs: number;
  counters: PeerCounters;
  /** Aborts the upload (transport stopping or peer removed). */
  signal: AbortSignal;
  track(socket: Socket): void;
}

/** The peer answered before the body was complete (a refusal): stop writing and report its answer. */
class EarlyAnswer extends Error {}

/** Uploads the snapshot; resolves with the payload size once the peer has it, throws with the reason otherwise. */
export async function sendSnapshot(upload: SnapshotUpload): Promise<number> {
  const request = peerRequest(upload.url, upload.tls, {
    method: 'POST',
    path: snapshotPath,
    headers: { ...handshakeHeaders(upload.identity, etcdServerVersion), 'content-type': 'application/octet-stream' },
    signal: upload.signal,
  });
  request.on('socket', (socket: Socket) => upload.track(socket));
  request.setTimeout(upload.idleTimeoutMs, () => request.destroy(new Error(`snapshot transfer idle for ${upload.idleTimeoutMs} ms`)));
  // Settles when the peer answers or the request fails; aborts any wait for 'drain' at that moment.
  const progress: UploadProgress = { answer: undefined, failure: undefined, stop: new AbortController() };
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', (response: IncomingMessage) => {
      progress.answer = response;
      progress.stop.abort();
      resolve(response);
    });
    request.on('error', (error: Error) => {
      progress.failure ??= error;
      progress.stop.abort();
      reject(error);
    });
  });
  // Observed here so a failure while the body is still being written is not an unhandled rejection.
  answered.catch(() => undefined);
  let totalBytes = 0;
  try {
    const checksum = new Crc32c();
    await write(request, messageFrame(upload.message), progress, upload.counters);
    for await (const chunk of upload.payload) {
      for (let offset = 0; offset < chunk.length; offset += upload.chunkBytesMax) {
        const piece = chunk.subarray(offset, Math.min(chunk.length, offset + upload.chunkBytesMax));
        checksum.update(piece);
        totalBytes += piece.length;
        await write(request, chunkHeader(piece.length), progress, upload.counters);
        await write(request, piece, progress, upload.counters);
      }
    }
    await write(request, snapshotEndFrame(totalBytes, checksum.digest()), progress, upload.counters);
    request.end();
  } catch (error) {
    if (!(error instanceof EarlyAnswer)) {
      request.destroy();
      throw error;
    }
  }
  const response = await answered;
  const reason = (await readBodyText(response, peerResponseBytesMax)).trim();
  request.destroy();
  if (response.statusCode !== 204) throw new Error(`peer answered ${response.statusCode}: ${reason}`);
  return totalBytes;
}

interface UploadProgress {
  answer: IncomingMessage | undefined;
  failure: Error | undefined;
  stop: AbortController;
}

async function write(request: ClientRequest, bytes: Uint8Array, progress: UploadProgress, counters: PeerCounters): Promise<void> {
  if (progress.answer !== undefined) throw new EarlyAnswer();
  counters.sentBytes += bytes.length;
  if (request.write(bytes)) return;
  try {
    // events.once removes its listeners when it settles, so waiting once per chunk accumulates nothing.
    await once(request, 'drain', { signal: progress.stop.signal });
  } catch (error) {
    if (progress.answer !== undefined) throw new EarlyAnswer();
    throw progress.failure ?? error;
  }
}
