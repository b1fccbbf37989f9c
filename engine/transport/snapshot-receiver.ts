// Receives one snapshot upload (POST /raft/snapshot after an accepted handshake): checks the leading MsgSnap,
// writes the payload chunks to a new file in the snapshot directory as they arrive, checks size and CRC-32C
// against the end frame, fsyncs the file, and only then hands {message, file} to the host. Reading pauses
// while a chunk is written to disk (the request is consumed with for-await), so memory stays at one socket
// chunk plus one frame however large the payload is. Any failure removes the partial file.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { crc32c } from '../common/crc32c.ts';
import { formatId } from '../common/logger.ts';
import { MessageType, type Message, type NodeId } from '../raft/types.ts';
import { FrameKind, FrameParser, readSnapshotEnd, snapshotEndPayloadBytes, type Frame } from './frames.ts';
import { decodeMessage } from './message-codec.ts';
import type { PeerCounters } from './peer-counters.ts';

/** Names of payload files being received; a crash leaves them behind and the next start removes them. */
export const incomingSnapshotPrefix = 'peer-snapshot-';
export const incomingSnapshotSuffix = '.incoming';

/** What a snapshot receiver needs. */
export interface SnapshotReceipt {
  localId: NodeId;
  from: NodeId;
  directory: string;
  messageBytesMax: number;
  chunkBytesMax: number;
  payloadBytesMax: number;
  idleTimeoutMs: number;
  counters: PeerCounters;
  processSnapshot(message: Message, payloadFile: string): void | Promise<void>;
}

/** How the receipt ended, as the HTTP answer to the sender. */
export interface SnapshotOutcome {
  status: number;
  reason: string;
  message?: Message;
  payloadBytes?: number;
}

/** A snapshot upload that is not acceptable; `status` is the HTTP answer. */
class SnapshotRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Receives the upload in `request`; never throws (the outcome says what to answer). */
export async function receiveSnapshot(request: IncomingMessage, receipt: SnapshotReceipt): Promise<SnapshotOutcome> {
  const file = path.join(receipt.directory, `${incomingSnapshotPrefix}${formatId(receipt.from)}-${randomBytes(6).toString('hex')}${incomingSnapshotSuffix}`);
  let handle: fs.promises.FileHandle | undefined;
  let handedOver = false;
  const state: ReceiveState = { message: undefined, totalBytes: 0, checksum: 0, ended: false };
  request.setTimeout(receipt.idleTimeoutMs, () => request.destroy(new Error(`snapshot transfer idle for ${receipt.idleTimeoutMs} ms`)));
  try {
    handle = await fs.promises.open(file, 'wx');
    const parser = new FrameParser(
      new Map([
        [FrameKind.Message, receipt.messageBytesMax],
        [FrameKind.SnapshotChunk, receipt.chunkBytesMax],
        [FrameKind.SnapshotEnd, snapshotEndPayloadBytes],
      ]),
    );
    for await (const chunk of request as AsyncIterable<Buffer>) {
      receipt.counters.receivedBytes += chunk.length;
      for (const frame of parser.push(chunk)) await onFrame(frame, state, handle, receipt);
    }
    if (!state.ended || state.message === undefined) throw new SnapshotRefused(400, 'snapshot upload ended before its end frame');
    await handle.sync();
    await handle.close();
    handle = undefined;
    handedOver = true;
    try {
      await receipt.processSnapshot(state.message, file);
    } catch (error) {
      handedOver = false;
      throw new SnapshotRefused(500, `failed to process snapshot: ${(error as Error).message}`);
    }
    return { status: 204, reason: '', message: state.message, payloadBytes: state.totalBytes };
  } catch (error) {
    const status = error instanceof SnapshotRefused ? error.status : 400;
    return { status, reason: (error as Error).message, message: state.message };
  } finally {
    await handle?.close().catch(() => undefined);
    if (!handedOver) await fs.promises.rm(file, { force: true }).catch(() => undefined);
  }
}

interface ReceiveState {
  message: Message | undefined;
  totalBytes: number;
  checksum: number;
  ended: boolean;
}

async function onFrame(frame: Frame, state: ReceiveState, handle: fs.promises.FileHandle, receipt: SnapshotReceipt): Promise<void> {
  if (state.ended) throw new SnapshotRefused(400, 'bytes after the end of the snapshot upload');
  if (state.message === undefined) {
    if (frame.kind !== FrameKind.Message) throw new SnapshotRefused(400, 'snapshot upload does not start with its message');
    state.message = checkMessage(decodeMessage(frame.payload, receipt.messageBytesMax), receipt);
    return;
  }
  if (frame.kind === FrameKind.SnapshotChunk) {
    state.totalBytes += frame.payload.length;
    if (state.totalBytes > receipt.payloadBytesMax) throw new SnapshotRefused(413, `snapshot payload exceeds ${receipt.payloadBytesMax} bytes`);
    state.checksum = crc32c(frame.payload, 0, frame.payload.length, state.checksum);
    await writeAll(handle, frame.payload);
    return;
  }
  if (frame.kind === FrameKind.SnapshotEnd) {
    const end = readSnapshotEnd(frame.payload);
    if (end.totalBytes !== state.totalBytes) throw new SnapshotRefused(400, `snapshot payload has ${state.totalBytes} bytes, the sender wrote ${end.totalBytes}`);
    if (end.checksum !== state.checksum) throw new SnapshotRefused(400, 'snapshot payload checksum mismatch');
    state.ended = true;
    return;
  }
  throw new SnapshotRefused(400, `unexpected frame kind ${frame.kind} in a snapshot upload`);
}

function checkMessage(message: Message, receipt: SnapshotReceipt): Message {
  if (message.type !== MessageType.Snap) throw new SnapshotRefused(400, 'wrong raft message type');
  if (message.to !== receipt.localId || message.from !== receipt.from) throw new SnapshotRefused(412, 'snapshot message is not from the sender to this member');
  if (message.snapshot === undefined) throw new SnapshotRefused(400, 'snapshot message without snapshot metadata');
  return message;
}

async function writeAll(handle: fs.promises.FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** Removes payload files a crash left behind in `directory` (creating the directory if it is missing). */
export async function prepareSnapshotDirectory(directory: string): Promise<void> {
  await fs.promises.mkdir(directory, { recursive: true });
  for (const name of await fs.promises.readdir(directory)) {
    if (name.startsWith(incomingSnapshotPrefix) && name.endsWith(incomingSnapshotSuffix)) {
      await fs.promises.rm(path.join(directory, name), { force: true });
    }
  }
}
