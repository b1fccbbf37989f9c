// The etcd gRPC services on the engine's own HTTP/2 server (engine/http2): the client port hands it every HTTP/2
// connection (plaintext, or TLS with ALPN h2), and every call is served here, unary and streaming, with the
// handlers grpc-js would be given. (CAIRN_GRPC_SERVER=grpc-js gives the connections to grpc-js; see start-member.ts.)
// Why not grpc-js: measured on the wire, Node's HTTP/2 layer under grpc-js took ~200 us of a member's ~590 us per
// single-client put (stream and header objects, the Writable machinery, native immediates, trailers a turn
// late); served here, a unary call is read in the turn its bytes arrive and answered with its headers, message
// and trailers in one socket write.
//
// Behaviour follows grpc-js (the statuses and texts its tests compare) and grpc-go's response headers (etcd's):
// unknown methods are UNIMPLEMENTED, oversized messages RESOURCE_EXHAUSTED, grpc-timeout becomes a deadline,
// errors before a message are trailers-only responses.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { status as GrpcStatus, type Metadata, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { Http2ServerConnection } from '../http2/server-connection.ts';
import type { Http2ServerStream } from '../http2/server-stream.ts';
import { encodeHeaderBlock } from '../http2/hpack-encoder.ts';
import { ErrorCode } from '../http2/frames.ts';
import { GrpcMessageError, GrpcMessageReader, messageFrame, messagePrefixBytes } from './grpc-messages.ts';
import { authContextOf, grpcTimeoutMs, type CallAuthContext } from './grpc-call-context.ts';

/** One method, as its service definition and implementation give it. */
export interface GrpcMethod {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  deserialize(bytes: Buffer): unknown;
  serialize(value: unknown): Buffer;
  handler: (...args: never[]) => void;
  /** A faster reader for this method's requests; undefined leaves a request to `deserialize`. */
  read?(bytes: Buffer): unknown;
  /** A faster writer of the response's frame (gRPC prefix included); undefined leaves it to `serialize`. */
  writeFrame?(response: unknown): Buffer | undefined;
}

/** The methods of the given services, by path. */
export function grpcMethods(services: ReadonlyArray<readonly [ServiceDefinition, UntypedServiceImplementation]>): Map<string, GrpcMethod> {
  const methods = new Map<string, GrpcMethod>();
  for (const [definition, implementation] of services) {
    for (const [name, method] of Object.entries(definition)) {
      const handler = implementation[name];
      if (typeof handler !== 'function') continue;
      methods.set(method.path, {
        path: method.path,
        requestStream: method.requestStream,
        responseStream: method.responseStream,
        deserialize: (bytes) => method.requestDeserialize(bytes),
        serialize: (value) => method.responseSerialize(value),
        handler: handler as GrpcMethod['handler'],
      });
    }
  }
  return methods;
}

/** Counts calls as etcd's grpc_server_started_total and grpc_server_handled_total do. */
export interface GrpcCallCounter {
  started(method: GrpcMethod): void;
  handled(method: GrpcMethod, code: number): void;
  /** Bytes of request messages read (gRPC's 5-byte prefix excluded, as etcd's codec counts them). */
  received(bytes: number): void;
  /** Bytes of response messages written (prefix excluded). */
  sent(bytes: number): void;
}

export interface GrpcH2ServerOptions {
  /** The largest request message accepted (etcd's --max-request-bytes plus gRPC's overhead). */
  receiveBytesMax: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS (etcd's --max-concurrent-streams). */
  concurrentStreamsMax: number;
  /** A connection failed (a client's protocol error, or its socket's). */
  onConnectionError?(error: Error): void;
  /** Hears of every call that reaches a method, and of its status. */
  counter?: GrpcCallCounter;
}

const responseHeaders = encodeHeaderBlock([[':status', '200'], ['content-type', 'application/grpc']]);
const okTrailers = encodeHeaderBlock([['grpc-status', '0'], ['grpc-message', '']]);
/** How long close() lets open calls finish before it cuts their connections. */
const closeGraceMs = 1_000;

/** Fields of a status (and of an error's metadata, as grpc-js gives them). */
function statusFields(code: number, details: string, metadata?: Metadata): Array<[string, string]> {
  const fields: Array<[string, string]> = [['grpc-status', String(code)], ['grpc-message', encodeURI(details)]];
  for (const [key, value] of Object.entries(metadata?.toHttp2Headers() ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) fields.push([key, String(item)]);
  }
  return fields;
}

/** The metadata of a call, read from its request headers (grpc-js's Metadata.get). */
class HeaderMetadata {
  constructor(private readonly stream: Http2ServerStream) {}

  get(key: string): Array<string | Buffer> {
    const values = this.stream.headerValues(key);
    return key.endsWith('-bin') ? values.map((value) => Buffer.from(value, 'base64')) : values;
  }
}

/** The parts of a call every kind shares: its stream, status, deadline and the caller's identity. */
class CallBase extends EventEmitter {
  readonly metadata: HeaderMetadata;
  cancelled = false;
  private finished = false;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    protected readonly stream: Http2ServerStream,
    protected readonly method: GrpcMethod,
    private readonly socket: Duplex,
    protected readonly counter: GrpcCallCounter | undefined,
  ) {
    super();
    this.metadata = new HeaderMetadata(stream);
    counter?.started(method);
  }

  /** Starts the deadline from grpc-timeout; false (and the call failed) when the value is not valid. */
  armDeadline(): boolean {
    const timeout = this.stream.header('grpc-timeout');
    if (timeout === undefined) return true;
    const timeoutMs = grpcTimeoutMs(timeout);
    if (timeoutMs === undefined) {
      this.finish(GrpcStatus.INTERNAL, `Invalid grpc-timeout value "${timeout}"`);
      return false;
    }
    this.deadline = setTimeout(() => {
      this.finish(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded');
      this.cancel();
    }, timeoutMs);
    return true;
  }

  /** grpc-js's view of the caller's TLS: a verified client certificate, if any. */
  getAuthContext(): CallAuthContext {
    return authContextOf(this.socket);
  }

  getPeer(): string {
    const socket = this.socket as Duplex & { remoteAddress?: string; remotePort?: number };
    return `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Ends the call with a status: trailers after the messages, or a trailers-only response. */
  finish(code: number, details: string, metadata?: Metadata): void {
    if (this.finished) return;
    this.finished = true;
    this.clearDeadline();
    this.counter?.handled(this.method, code);
    if (this.stream.closed) return;
    if (this.stream.responded) this.stream.end(code === GrpcStatus.OK && !metadata ? okTrailers : encodeHeaderBlock(statusFields(code, details, metadata)));
    else this.stream.respond(encodeHeaderBlock([[':status', '200'], ['content-type', 'application/grpc'], ...statusFields(code, details, metadata)]), true);
    this.emit('close');
  }

  /** The client went away (reset, deadline, connection closed). */
  cancel(): void {
    this.clearDeadline();
    if (this.cancelled) return;
    this.cancelled = true;
    if (!this.finished) this.counter?.handled(this.method, GrpcStatus.CANCELLED);
    this.finished = true;
    this.emit('cancelled');
    this.emit('close');
    if (!this.stream.closed) this.stream.reset(ErrorCode.Cancel);
  }

  private clearDeadline(): void {
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  protected ensureResponded(): void {
    if (!this.stream.responded) this.stream.respond(responseHeaders);
  }
}

/** A call whose response is a stream (grpc-js's ServerWritableStream / ServerDuplexStream surface). */
class StreamCall extends CallBase {
  request: unknown;

  /** Sends one message; false when the writer should wait for 'drain'. */
  write(message: unknown): boolean {
    if (this.isFinished || this.stream.closed) return false;
    this.ensureResponded();
    const frame = messageFrame(this.method.serialize(message));
    this.counter?.sent(frame.length - messagePrefixBytes);
    return this.stream.write(frame);
  }

  /** Ends the call with OK after the messages written. */
  end(): void {
    this.ensureResponded();
    this.finish(GrpcStatus.OK, '');
  }

  /** Ends the call with `error`'s status (UNKNOWN without one). */
  destroy(error?: Error & { code?: number; details?: string; metadata?: Metadata }): void {
    if (error === undefined) this.finish(GrpcStatus.CANCELLED, 'Cancelled');
    else this.finish(error.code ?? GrpcStatus.UNKNOWN, error.details ?? error.message, error.metadata);
  }
}

/** A unary call: the handler's view (request, metadata, identity) and its callback. */
class UnaryCall extends CallBase {
  request: unknown;

  answer(error: (Error & { code?: number; details?: string; metadata?: Metadata }) | null, response?: unknown): void {
    if (this.isFinished) return;
    if (error) {
      this.finish(error.code ?? GrpcStatus.UNKNOWN, error.details ?? error.message ?? '', error.metadata);
      return;
    }
    let frame: Buffer | undefined;
    try {
      frame = this.method.writeFrame?.(response) ?? messageFrame(this.method.serialize(response));
    } catch {
      this.finish(GrpcStatus.INTERNAL, 'Error serializing response');
      return;
    }
    this.counter?.sent(frame.length - messagePrefixBytes);
    this.stream.respond(responseHeaders);
    this.stream.write(frame);
    this.finish(GrpcStatus.OK, '');
  }
}

/** Serves gRPC calls on the HTTP/2 connections it is given. */
export class GrpcH2Server {
  private readonly connections = new Set<Http2ServerConnection>();

  constructor(
    private readonly methods: ReadonlyMap<string, GrpcMethod>,
    private readonly options: GrpcH2ServerOptions,
  ) {}

  /** Serves an HTTP/2 connection; `received` are bytes already read from it (the preface, usually). */
  serve(socket: Duplex, received?: Buffer): void {
    const connection = new Http2ServerConnection(socket, {
      maxConcurrentStreams: this.options.concurrentStreamsMax,
      streamWindowBytes: 1 << 20,
      connectionWindowBytes: 16 << 20,
      maxHeaderListBytes: 64 << 10,
      onStream: (stream) => this.onStream(stream, socket),
      onError: (error) => this.options.onConnectionError?.(error),
    });
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    connection.start(received);
  }

  /** Tells every connection to finish (GOAWAY), and cuts those still open after a grace period. */
  async close(): Promise<void> {
    for (const connection of this.connections) connection.close();
    const deadline = Date.now() + closeGraceMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
  }

  private onStream(stream: Http2ServerStream, socket: Duplex): void {
    const path = stream.header(':path') ?? '';
    const method = this.methods.get(path);
    const contentType = stream.header('content-type');
    const encoding = stream.header('grpc-encoding');
    const refuse = (code: number, details: string): void => {
      stream.handlers = { onEnd: () => undefined };
      if (!stream.closed) stream.respond(encodeHeaderBlock([[':status', '200'], ['content-type', 'application/grpc'], ...statusFields(code, details)]), true);
    };
    if (contentType === undefined || !contentType.startsWith('application/grpc')) {
      stream.handlers = { onEnd: () => undefined };
      stream.respond(encodeHeaderBlock([[':status', '415'], ['grpc-status', String(GrpcStatus.INTERNAL)], ['grpc-message', encodeURI(`Invalid content-type "${contentType ?? ''}"`)]]), true);
      return;
    }
    if (encoding !== undefined && encoding !== 'identity') return refuse(GrpcStatus.UNIMPLEMENTED, `Received message compressed with unsupported encoding "${encoding}"`);
    if (method === undefined) return refuse(GrpcStatus.UNIMPLEMENTED, `The server does not implement the method ${path}`);
    if (method.requestStream) this.serveRequestStream(stream, socket, method);
    else this.serveSingleRequest(stream, socket, method);
  }

  /** Unary and server-streaming calls: one request message, then the handler. */
  private serveSingleRequest(stream: Http2ServerStream, socket: Duplex, method: GrpcMethod): void {
    const counter = this.options.counter;
    const call = method.responseStream ? new StreamCall(stream, method, socket, counter) : new UnaryCall(stream, method, socket, counter);
    if (!call.armDeadline()) return;
    const reader = new GrpcMessageReader(this.options.receiveBytesMax);
    const messages: Buffer[] = [];
    stream.handlers = {
      onData: (chunk) => {
        if (call.isFinished) return;
        try {
          messages.push(...reader.push(chunk));
        } catch (error) {
          const failure = error as GrpcMessageError;
          call.finish(failure.code, failure.details);
        }
      },
      onEnd: () => {
        if (call.isFinished) return;
        if (messages.length === 0 || reader.pendingBytes > 0) {
          call.finish(GrpcStatus.UNIMPLEMENTED, `Received no request message for server streaming method ${method.path}`);
          return;
        }
        if (messages.length > 1) {
          call.finish(GrpcStatus.UNIMPLEMENTED, `Received a second request message for server streaming method ${method.path}`);
          return;
        }
        counter?.received(messages[0]!.length);
        try {
          call.request = method.read?.(messages[0]!) ?? method.deserialize(messages[0]!);
        } catch {
          call.finish(GrpcStatus.INTERNAL, 'Error deserializing request');
          return;
        }
        try {
          if (call instanceof UnaryCall) (method.handler as (call: UnaryCall, callback: UnaryCall['answer']) => void)(call, (error, response) => call.answer(error, response));
          else (method.handler as (call: StreamCall) => void)(call);
        } catch {
          call.finish(GrpcStatus.UNKNOWN, 'Unknown error');
        }
      },
      onAbort: () => call.cancel(),
      onDrain: () => call.emit('drain'),
    };
  }

  /** Client- and bidirectional-streaming calls: the handler starts at once and hears each message. */
  private serveRequestStream(stream: Http2ServerStream, socket: Duplex, method: GrpcMethod): void {
    const call = new StreamCall(stream, method, socket, this.options.counter);
    if (!call.armDeadline()) return;
    const reader = new GrpcMessageReader(this.options.receiveBytesMax);
    stream.handlers = {
      onData: (chunk) => {
        if (call.isFinished) return;
        try {
          for (const message of reader.push(chunk)) {
            this.options.counter?.received(message.length);
            call.emit('data', method.read?.(message) ?? method.deserialize(message));
          }
        } catch (error) {
          if (error instanceof GrpcMessageError) call.finish(error.code, error.details);
          else call.finish(GrpcStatus.INTERNAL, 'Error deserializing request');
        }
      },
      onEnd: () => {
        if (!call.isFinished) call.emit('end');
      },
      onAbort: () => call.cancel(),
      onDrain: () => call.emit('drain'),
    };
    try {
      (method.handler as (call: StreamCall) => void)(call);
    } catch {
      call.finish(GrpcStatus.UNKNOWN, 'Unknown error');
    }
  }
}
