// Decides, per plaintext HTTP/2 connection, whether its requests need the :authority repair of
// http2-authority-relay.ts, by looking at the connection's first request before any HTTP/2 session owns it.
//
// Why: the relay copies every byte through JavaScript streams in both directions, about a quarter of the
// member's CPU for small unary requests. Only etcd's Go client sends URL-shaped authorities, and a gRPC client
// sends one authority for every request on a connection (it belongs to the channel), so the first request tells
// which connections need the relay; all others get the raw socket, which Node's HTTP/2 session reads natively.
//
// grpc-go sends no request before it has the server's SETTINGS frame, so the probe sends one itself: an empty
// SETTINGS frame (it changes no setting). The client's acknowledgement of it is removed from the bytes handed on,
// because the HTTP/2 session that takes the connection over never sent that frame and would treat the ACK as a
// protocol error. The session then sends its own SETTINGS, which the client acknowledges as usual.
import type net from 'node:net';
import { http2HeaderBlockBytesMax } from '../common/limits.ts';
import { repairAuthorityInHeaderBlock } from './hpack-authority.ts';
import { splitHeadersPayload } from './http2-request-filter.ts';

const clientPrefaceBytes = 24;
const frameHeaderBytes = 9;
const frameTypeHeaders = 0x1;
const frameTypeSettings = 0x4;
const frameTypeContinuation = 0x9;
const flagAck = 0x1;
const flagEndHeaders = 0x4;

/** An empty SETTINGS frame: a valid server connection preface (RFC 9113 3.4) that changes no setting. */
export const emptySettingsFrame = Buffer.from([0, 0, 0, frameTypeSettings, 0, 0, 0, 0, 0]);

/** What the probe found: the bytes to hand on (the client's, minus the ACK) and whether they need the relay. */
export interface FirstRequestVerdict {
  received: Buffer;
  needsAuthorityRepair: boolean;
}

/** The state of a scan over the client's bytes so far. */
interface Scan {
  /** Offset of the next unparsed frame. */
  offset: number;
  ackRemoved: boolean;
  /** Fragments of the first header block, while it is being reassembled. */
  fragments: Buffer[];
  verdict: boolean | undefined;
}

/**
 * Scans whole frames of `bytes` from `scan.offset`: removes the first SETTINGS ACK (splicing it out of `bytes`,
 * which is returned) and, once the first header block is complete, records whether its :authority needs repair.
 * Frames not yet complete are left for the next call.
 */
function scanFrames(bytes: Buffer, scan: Scan): Buffer {
  while (bytes.length - scan.offset >= frameHeaderBytes) {
    const start = scan.offset;
    const length = bytes.readUIntBE(start, 3);
    const end = start + frameHeaderBytes + length;
    if (end > bytes.length) break;
    const type = bytes[start + 3];
    const flags = bytes[start + 4];
    if (type === frameTypeSettings && flags & flagAck && !scan.ackRemoved) {
      scan.ackRemoved = true;
      bytes = Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]);
      continue;
    }
    scan.offset = end;
    if (scan.verdict !== undefined) continue;
    const payload = bytes.subarray(start + frameHeaderBytes, end);
    if (type === frameTypeHeaders) {
      const parts = splitHeadersPayload(payload, flags);
      if (!parts) scan.verdict = true; // malformed: the relay's pass-through keeps nghttp2's own error
      else scan.fragments.push(parts.fragment);
    } else if (type === frameTypeContinuation && scan.fragments.length > 0) {
      scan.fragments.push(payload);
    } else {
      continue;
    }
    if (scan.verdict === undefined && flags & flagEndHeaders) {
      scan.verdict = repairAuthorityInHeaderBlock(Buffer.concat(scan.fragments)) !== undefined;
      scan.fragments = [];
    }
  }
  return bytes;
}

/**
 * Reads `socket` (whose first bytes, `received`, start with the client preface) until the first request's header
 * block and the acknowledgement of the probe's SETTINGS have arrived, then resolves with what to hand on. The
 * socket is left paused with no 'data' listener. A client that sends more than a header block's worth of bytes
 * without a verdict is treated as needing repair (the relay handles anything). Rejects when the socket closes.
 */
export function probeFirstRequest(socket: net.Socket, received: Buffer): Promise<FirstRequestVerdict> {
  return new Promise((resolve, reject) => {
    const scan: Scan = { offset: clientPrefaceBytes, ackRemoved: false, fragments: [], verdict: undefined };
    let bytes = received;
    const finish = (verdict: FirstRequestVerdict | Error): void => {
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.pause();
      if (verdict instanceof Error) reject(verdict);
      else resolve(verdict);
    };
    const examine = (): void => {
      bytes = scanFrames(bytes, scan);
      if (scan.verdict !== undefined && scan.ackRemoved) finish({ received: bytes, needsAuthorityRepair: scan.verdict });
      else if (bytes.length > http2HeaderBlockBytesMax + clientPrefaceBytes) finish({ received: bytes, needsAuthorityRepair: true });
    };
    const onData = (chunk: Buffer): void => {
      bytes = Buffer.concat([bytes, chunk]);
      examine();
    };
    const onClose = (): void => finish(new Error('connection closed before its first request'));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(emptySettingsFrame);
    examine();
    socket.resume();
  });
}
