// HTTP/2 frames (RFC 9113 section 4 and 6): the constants, the checks every received frame must pass before the
// connection acts on it, and the frames a server writes. Frames are built as one Buffer each (or a 9-byte header
// to write before a payload the caller already holds, for DATA), so a response goes out in one socket write.

export const frameHeaderBytes = 9;

export const FrameType = {
  Data: 0x0,
  Headers: 0x1,
  Priority: 0x2,
  RstStream: 0x3,
  Settings: 0x4,
  PushPromise: 0x5,
  Ping: 0x6,
  GoAway: 0x7,
  WindowUpdate: 0x8,
  Continuation: 0x9,
} as const;

export const FrameFlag = {
  EndStream: 0x1,
  Ack: 0x1,
  EndHeaders: 0x4,
  Padded: 0x8,
  Priority: 0x20,
} as const;

/** Error codes of RST_STREAM and GOAWAY (RFC 9113 7). */
export const ErrorCode = {
  NoError: 0x0,
  ProtocolError: 0x1,
  InternalError: 0x2,
  FlowControlError: 0x3,
  SettingsTimeout: 0x4,
  StreamClosed: 0x5,
  FrameSizeError: 0x6,
  RefusedStream: 0x7,
  Cancel: 0x8,
  CompressionError: 0x9,
  ConnectError: 0xa,
  EnhanceYourCalm: 0xb,
  InadequateSecurity: 0xc,
  Http11Required: 0xd,
} as const;

/** SETTINGS parameters (RFC 9113 6.5.2). */
export const Setting = {
  HeaderTableSize: 0x1,
  EnablePush: 0x2,
  MaxConcurrentStreams: 0x3,
  InitialWindowSize: 0x4,
  MaxFrameSize: 0x5,
  MaxHeaderListSize: 0x6,
} as const;

/** The initial flow-control window of a connection and of each stream (RFC 9113 6.9.2). */
export const initialWindowBytes = 65_535;
/** The largest flow-control window (2^31 - 1). */
export const windowBytesMax = 0x7fff_ffff;
/** SETTINGS_MAX_FRAME_SIZE's initial value and its bounds. */
export const frameBytesMaxDefault = 16_384;
export const frameBytesMaxLimit = 16_777_215;

/** The client connection preface (RFC 9113 3.4). */
export const clientPreface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** One received frame; `payload` may view the bytes it arrived in. */
export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A protocol violation that ends the connection with GOAWAY and `code` (RFC 9113 5.4.1). */
export class Http2ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'Http2ConnectionError';
  }
}

/** Payload lengths fixed by the frame type (RFC 9113 6.3, 6.4, 6.7, 6.9). */
const fixedPayloadBytes: Partial<Record<number, number>> = {
  [FrameType.Priority]: 5,
  [FrameType.RstStream]: 4,
  [FrameType.Ping]: 8,
  [FrameType.WindowUpdate]: 4,
};

/** Frame types that belong to a stream (stream 0 is an error) and those that belong to the connection. */
const streamFrames = new Set<number>([FrameType.Data, FrameType.Headers, FrameType.Priority, FrameType.RstStream, FrameType.Continuation]);
const connectionFrames = new Set<number>([FrameType.Settings, FrameType.Ping, FrameType.GoAway]);

/**
 * Checks what RFC 9113 fixes about a received frame regardless of the connection's state: which stream it may
 * be on and its payload length. Throws Http2ConnectionError. (WINDOW_UPDATE may be on either; unknown types are
 * to be ignored, so they pass.)
 */
export function checkFrame(frame: Frame): void {
  const { type, flags, streamId, payload } = frame;
  if (streamFrames.has(type) && streamId === 0) throw new Http2ConnectionError(ErrorCode.ProtocolError, `frame type ${type} on stream 0`);
  if (connectionFrames.has(type) && streamId !== 0) throw new Http2ConnectionError(ErrorCode.ProtocolError, `frame type ${type} on stream ${streamId}`);
  if (type === FrameType.PushPromise) throw new Http2ConnectionError(ErrorCode.ProtocolError, 'PUSH_PROMISE from a client');
  const fixed = fixedPayloadBytes[type];
  if (fixed !== undefined && payload.length !== fixed) throw new Http2ConnectionError(ErrorCode.FrameSizeError, `frame type ${type} with a ${payload.length}-byte payload`);
  if (type === FrameType.Settings && (payload.length % 6 !== 0 || (flags & FrameFlag.Ack && payload.length !== 0))) {
    throw new Http2ConnectionError(ErrorCode.FrameSizeError, `SETTINGS with a ${payload.length}-byte payload`);
  }
  if (type === FrameType.GoAway && payload.length < 8) throw new Http2ConnectionError(ErrorCode.FrameSizeError, 'GOAWAY shorter than 8 bytes');
}

/**
 * The content of a DATA or HEADERS payload without its padding (and, for HEADERS, its priority fields), or a
 * PROTOCOL_ERROR when the padding is longer than the payload (RFC 9113 6.1, 6.2).
 */
export function unpaddedContent(frame: Frame): Buffer {
  const { flags, payload } = frame;
  let start = 0;
  let padding = 0;
  if (flags & FrameFlag.Padded) {
    if (payload.length < 1) throw new Http2ConnectionError(ErrorCode.FrameSizeError, 'padded frame without its pad length');
    padding = payload[0]!;
    start = 1;
  }
  if (frame.type === FrameType.Headers && flags & FrameFlag.Priority) start += 5;
  if (start + padding > payload.length) throw new Http2ConnectionError(ErrorCode.ProtocolError, 'padding longer than the frame');
  return payload.subarray(start, payload.length - padding);
}

/** The parameters of a SETTINGS payload, in order, as [identifier, value]. */
export function readSettings(payload: Buffer): Array<[number, number]> {
  const settings: Array<[number, number]> = [];
  for (let at = 0; at + 6 <= payload.length; at += 6) settings.push([payload.readUInt16BE(at), payload.readUInt32BE(at + 2)]);
  return settings;
}

/** A frame's 9-byte header (RFC 9113 4.1). */
export function frameHeader(type: number, flags: number, streamId: number, payloadBytes: number): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderBytes);
  writeFrameHeader(header, 0, type, flags, streamId, payloadBytes);
  return header;
}

function writeFrameHeader(target: Buffer, at: number, type: number, flags: number, streamId: number, payloadBytes: number): void {
  target.writeUIntBE(payloadBytes, at, 3);
  target[at + 3] = type;
  target[at + 4] = flags;
  target.writeUInt32BE(streamId, at + 5);
}

function frameWith(type: number, flags: number, streamId: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(frameHeaderBytes + payload.length);
  writeFrameHeader(frame, 0, type, flags, streamId, payload.length);
  frame.set(payload, frameHeaderBytes);
  return frame;
}

/** SETTINGS with the given [identifier, value] parameters. */
export function settingsFrame(settings: ReadonlyArray<readonly [number, number]>): Buffer {
  const payload = Buffer.allocUnsafe(settings.length * 6);
  settings.forEach(([identifier, value], index) => {
    payload.writeUInt16BE(identifier, index * 6);
    payload.writeUInt32BE(value, index * 6 + 2);
  });
  return frameWith(FrameType.Settings, 0, 0, payload);
}

export const settingsAckFrame: Buffer = frameWith(FrameType.Settings, FrameFlag.Ack, 0, Buffer.alloc(0));

/** The answer to a PING: the same 8 bytes, with ACK. */
export function pingAckFrame(opaque: Buffer): Buffer {
  return frameWith(FrameType.Ping, FrameFlag.Ack, 0, opaque);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(increment, 0);
  return frameWith(FrameType.WindowUpdate, 0, streamId, payload);
}

export function rstStreamFrame(streamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(code, 0);
  return frameWith(FrameType.RstStream, 0, streamId, payload);
}

export function goAwayFrame(lastStreamId: number, code: number, debug = ''): Buffer {
  const text = Buffer.from(debug, 'utf8');
  const payload = Buffer.allocUnsafe(8 + text.length);
  payload.writeUInt32BE(lastStreamId, 0);
  payload.writeUInt32BE(code, 4);
  text.copy(payload, 8);
  return frameWith(FrameType.GoAway, 0, 0, payload);
}

/**
 * A header block as HEADERS and, when it does not fit `frameBytesMax`, CONTINUATION frames (RFC 9113 6.2, 6.10),
 * all in one Buffer.
 */
export function headersFrames(streamId: number, block: Buffer, endStream: boolean, frameBytesMax: number): Buffer {
  const frameCount = Math.max(1, Math.ceil(block.length / frameBytesMax));
  const out = Buffer.allocUnsafe(frameCount * frameHeaderBytes + block.length);
  let at = 0;
  for (let index = 0; index < frameCount; index++) {
    const fragment = block.subarray(index * frameBytesMax, (index + 1) * frameBytesMax);
    const last = index === frameCount - 1;
    const type = index === 0 ? FrameType.Headers : FrameType.Continuation;
    const flags = (index === 0 && endStream ? FrameFlag.EndStream : 0) | (last ? FrameFlag.EndHeaders : 0);
    writeFrameHeader(out, at, type, flags, streamId, fragment.length);
    out.set(fragment, at + frameHeaderBytes);
    at += frameHeaderBytes + fragment.length;
  }
  return out;
}

/** The header of a DATA frame carrying `payloadBytes` (written before the payload, which is not copied). */
export function dataFrameHeader(streamId: number, payloadBytes: number, endStream: boolean): Buffer {
  return frameHeader(FrameType.Data, endStream ? FrameFlag.EndStream : 0, streamId, payloadBytes);
}
