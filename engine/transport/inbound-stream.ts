// The receiving end of a peer's stream: splits the socket's bytes into frames, decodes each message and hands
// it to the host synchronously, so messages reach Raft in the order the peer sent them and nothing piles up
// here (a slow host slows the socket down, and TCP pushes back on the sender). Pings are answered at once.
import type { Socket } from 'node:net';
import { formatId, type Logger } from '../common/logger.ts';
import type { Message, NodeId } from '../raft/types.ts';
import { FrameKind, FrameParser, pingFrame, pingPayloadBytes } from './frames.ts';
import { decodeMessage } from './message-codec.ts';
import type { PeerCounters } from './peer-counters.ts';

/** What an inbound stream needs from its transport. */
export interface InboundStreamContext {
  localId: NodeId;
  peerId: NodeId;
  messageBytesMax: number;
  /** Closes the stream when nothing arrives for this long (the sender pings far more often). */
  linkTimeoutMs: number;
  logger: Logger;
  counters: PeerCounters;
  process(message: Message): void;
}

/** One accepted stream from a peer. */
export class InboundStream {
  private closed = false;
  private readonly parser: FrameParser;

  constructor(
    private readonly socket: Socket,
    head: Buffer,
    private readonly context: InboundStreamContext,
  ) {
    this.parser = new FrameParser(
      new Map([
        [FrameKind.Message, context.messageBytesMax],
        [FrameKind.Ping, pingPayloadBytes],
      ]),
    );
    socket.setNoDelay(true);
    socket.setTimeout(context.linkTimeoutMs, () => this.close(`nothing received for ${context.linkTimeoutMs} ms`));
    if (head.length > 0) socket.unshift(head);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) => this.close(error.message));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Closes the stream; `reason` is logged when given. */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason !== undefined) {
      this.context.logger.warn('lost TCP streaming connection with remote peer', {
        'local-member-id': formatId(this.context.localId),
        'remote-peer-id': formatId(this.context.peerId),
        reason,
      });
    }
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.context.counters.receivedBytes += chunk.length;
    let frames;
    try {
      frames = this.parser.push(chunk);
    } catch (error) {
      this.close(`bad frame: ${(error as Error).message}`);
      return;
    }
    for (const frame of frames) {
      // The host may remove this peer (and close this stream) while handling a message: stop at once.
      if (this.closed) return;
      if (frame.kind === FrameKind.Ping) this.socket.write(pingFrame(FrameKind.Pong, frame.payload.readUInt32BE(0)));
      else this.onMessage(frame.payload);
    }
  }

  private onMessage(payload: Buffer): void {
    let message: Message;
    try {
      message = decodeMessage(payload, this.context.messageBytesMax);
    } catch (error) {
      // A frame that does not decode means a broken or incompatible sender: keep nothing more from it.
      this.close(`failed to decode raft message: ${(error as Error).message}`);
      return;
    }
    if (message.to !== this.context.localId || message.from !== this.context.peerId) {
      this.context.logger.warn('ignored raft message not sent by the stream peer to this member', {
        'local-member-id': formatId(this.context.localId),
        'remote-peer-id': formatId(this.context.peerId),
        'message-from': formatId(message.from),
        'message-to': formatId(message.to),
      });
      return;
    }
    try {
      this.context.process(message);
    } catch (error) {
      this.context.logger.warn('failed to process raft message', {
        'local-member-id': formatId(this.context.localId),
        'remote-peer-id': formatId(this.context.peerId),
        'message-type': message.type,
        error: (error as Error).message,
      });
    }
  }
}
