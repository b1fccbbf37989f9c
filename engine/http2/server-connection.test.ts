// The HTTP/2 server connection against real peers on real sockets: nghttp2 (Node's http2 client) for requests,
// responses, flow control in both directions, cancellation, stream limits and graceful close; raw frames for
// the protocol errors a well-behaved client never commits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { clientPrefaceForTest, frame, hpackLiteral } from '../api/http2-test-support.ts';
import { Http2ServerConnection, type Http2ServerOptions } from './server-connection.ts';
import type { Http2ServerStream } from './server-stream.ts';
import { encodeHeaderBlock } from './hpack-encoder.ts';
import { ErrorCode, FrameFlag, FrameType, type Frame } from './frames.ts';

const okHeaders = encodeHeaderBlock([[':status', '200'], ['content-type', 'application/octet-stream']]);
const okTrailers = encodeHeaderBlock([['x-status', 'done']]);

const defaults: Omit<Http2ServerOptions, 'onStream'> = {
  maxConcurrentStreams: 100, streamWindowBytes: 1 << 20, connectionWindowBytes: 4 << 20, maxHeaderListBytes: 16 << 10,
};

interface TestServer {
  url: string;
  port: number;
  connections: Http2ServerConnection[];
  errors: Error[];
  close(): Promise<void>;
}

async function serve(onStream: (stream: Http2ServerStream) => void, options: Partial<Http2ServerOptions> = {}): Promise<TestServer> {
  const connections: Http2ServerConnection[] = [];
  const errors: Error[] = [];
  const server = net.createServer((socket) => {
    const connection = new Http2ServerConnection(socket, { ...defaults, ...options, onStream, onError: (error) => errors.push(error) });
    connections.push(connection);
    connection.start();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, connections, errors,
    close: async () => {
      for (const connection of connections) connection.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Echoes the request body back, then trailers. */
function echo(stream: Http2ServerStream): void {
  const chunks: Buffer[] = [];
  stream.handlers = {
    onData: (chunk) => chunks.push(Buffer.from(chunk)),
    onEnd: () => {
      stream.respond(okHeaders);
      stream.write(Buffer.concat(chunks));
      stream.end(okTrailers);
    },
  };
}

async function post(client: http2.ClientHttp2Session, path: string, body: Buffer): Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }> {
  const request = client.request({ ':method': 'POST', ':path': path });
  request.end(body);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  const [headers] = (await once(request, 'response')) as [http2.IncomingHttpHeaders];
  const [trailers] = (await once(request, 'trailers')) as [http2.IncomingHttpHeaders];
  if (!request.readableEnded) await once(request, 'end');
  return { headers, body: Buffer.concat(chunks), trailers };
}

test('requests and responses, one after another and many at once', { timeout: 20_000 }, async () => {
  const server = await serve(echo);
  const client = http2.connect(server.url);
  try {
    for (let index = 0; index < 50; index++) {
      const reply = await post(client, `/seq/${index}`, Buffer.from(`body ${index}`));
      assert.equal(reply.headers[':status'], 200);
      assert.equal(reply.body.toString(), `body ${index}`);
      assert.equal(reply.trailers['x-status'], 'done');
    }
    const replies = await Promise.all(Array.from({ length: 80 }, (_, index) => post(client, `/par/${index}`, Buffer.alloc(index * 100, index))));
    replies.forEach((reply, index) => assert.deepEqual(reply.body, Buffer.alloc(index * 100, index)));
    assert.equal(server.connections[0]!.streamCount, 0, 'finished streams are forgotten');
    assert.deepEqual(server.errors, []);
  } finally {
    client.close();
    await server.close();
  }
});

test('flow control: a request larger than every window arrives whole, and a large response respects the client', { timeout: 30_000 }, async () => {
  const server = await serve(echo, { streamWindowBytes: 65_535, connectionWindowBytes: 65_535 });
  // The client's own windows are the defaults (64 KiB): the 5 MiB answer must wait for its WINDOW_UPDATEs.
  const client = http2.connect(server.url);
  try {
    const body = Buffer.alloc(5 << 20);
    for (let index = 0; index < body.length; index += 4) body.writeUInt32BE(index, index);
    const reply = await post(client, '/large', body);
    assert.equal(reply.body.length, body.length);
    assert.ok(reply.body.equals(body), 'the same bytes, in order');
    assert.deepEqual(server.errors, []);
  } finally {
    client.close();
    await server.close();
  }
});

test('a writer is told to wait when the client reads slowly, and to go on when it has read', { timeout: 20_000 }, async () => {
  let drains = 0;
  let refusals = 0;
  const server = await serve((stream) => {
    stream.handlers = {
      onEnd: () => {
        stream.respond(okHeaders);
        let sent = 0;
        const more = (): void => {
          while (sent < 64) {
            sent++;
            if (!stream.write(Buffer.alloc(32 * 1024, sent))) {
              refusals++;
              return;
            }
          }
          stream.end(okTrailers);
        };
        stream.handlers.onDrain = () => {
          drains++;
          more();
        };
        more();
      },
    };
  });
  const client = http2.connect(server.url);
  try {
    const reply = await post(client, '/stream', Buffer.alloc(0));
    assert.equal(reply.body.length, 64 * 32 * 1024);
    assert.ok(refusals > 0 && drains === refusals, `refused ${refusals}, drained ${drains}`);
  } finally {
    client.close();
    await server.close();
  }
});

test('a request the client cancels is aborted with its code; other streams go on', { timeout: 20_000 }, async () => {
  const aborted: number[] = [];
  const server = await serve((stream) => {
    if (stream.header(':path') === '/hang') stream.handlers = { onAbort: (code) => aborted.push(code) };
    else echo(stream);
  });
  const client = http2.connect(server.url);
  try {
    const hanging = client.request({ ':method': 'POST', ':path': '/hang' });
    hanging.write('partial');
    await new Promise((resolve) => setTimeout(resolve, 50));
    hanging.close(http2.constants.NGHTTP2_CANCEL);
    hanging.on('error', () => undefined);
    const reply = await post(client, '/after', Buffer.from('still fine'));
    assert.equal(reply.body.toString(), 'still fine');
    assert.deepEqual(aborted, [ErrorCode.Cancel]);
    assert.equal(server.connections[0]!.streamCount, 0);
  } finally {
    client.close();
    await server.close();
  }
});

test('no more than SETTINGS_MAX_CONCURRENT_STREAMS are open at once', { timeout: 20_000 }, async () => {
  let open = 0;
  let most = 0;
  const server = await serve((stream) => {
    open++;
    most = Math.max(most, open);
    stream.handlers = {
      onEnd: () =>
        setTimeout(() => {
          open--;
          stream.respond(okHeaders);
          stream.end(okTrailers);
        }, 20),
    };
  }, { maxConcurrentStreams: 2 });
  const client = http2.connect(server.url);
  try {
    await once(client, 'remoteSettings');
    await Promise.all(Array.from({ length: 6 }, (_, index) => post(client, `/${index}`, Buffer.alloc(0))));
    assert.equal(most, 2);
  } finally {
    client.close();
    await server.close();
  }
});

test('close() lets open streams finish, refuses nothing they need, and ends the connection', { timeout: 20_000 }, async () => {
  let pending: Http2ServerStream | undefined;
  const server = await serve((stream) => {
    pending = stream;
  });
  const client = http2.connect(server.url);
  try {
    const request = client.request({ ':method': 'POST', ':path': '/slow' }, { endStream: true });
    const response = once(request, 'response');
    while (!pending) await new Promise((resolve) => setImmediate(resolve));
    const goaway = once(client, 'goaway');
    server.connections[0]!.close();
    await goaway;
    pending.respond(okHeaders);
    pending.write(Buffer.from('late'));
    pending.end(okTrailers);
    const [headers] = (await response) as [http2.IncomingHttpHeaders];
    assert.equal(headers[':status'], 200);
    request.resume();
    await once(request, 'end');
    await once(client, 'close');
  } finally {
    client.destroy();
    await server.close();
  }
});

/** A raw client: writes frames, collects the frames the server sends. */
async function rawClient(port: number): Promise<{ socket: net.Socket; frames: Frame[]; closed: Promise<unknown> }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const frames: Frame[] = [];
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 9 && buffered.length >= 9 + buffered.readUIntBE(0, 3)) {
      const length = buffered.readUIntBE(0, 3);
      frames.push({ type: buffered[3]!, flags: buffered[4]!, streamId: buffered.readUInt32BE(5), payload: buffered.subarray(9, 9 + length) });
      buffered = buffered.subarray(9 + length);
    }
  });
  const closed = once(socket, 'close');
  return { socket, frames, closed };
}

const requestBlock = Buffer.concat([Buffer.from([0x83, 0x86]), hpackLiteral('without-indexing', 4, '/x')]);

test('protocol errors end the connection with GOAWAY and their code; a malformed request only resets its stream', { timeout: 20_000 }, async () => {
  const server = await serve(echo);
  try {
    const cases: Array<[string, Buffer, number]> = [
      ['a wrong preface', Buffer.from('PRI * HTTP/1.1\r\n\r\nxx\r\n\r\n'), ErrorCode.ProtocolError],
      ['an even stream id', frame(FrameType.Headers, FrameFlag.EndHeaders | FrameFlag.EndStream, 2, requestBlock), ErrorCode.ProtocolError],
      ['a header block that does not decode', frame(FrameType.Headers, FrameFlag.EndHeaders, 1, Buffer.from([0x80])), ErrorCode.CompressionError],
      ['a WINDOW_UPDATE of 0 on the connection', frame(FrameType.WindowUpdate, 0, 0, Buffer.alloc(4)), ErrorCode.ProtocolError],
      ['SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1', frame(FrameType.Settings, 0, 0, Buffer.from([0, 4, 0x80, 0, 0, 0])), ErrorCode.FlowControlError],
      ['DATA on a stream never opened', frame(FrameType.Data, 0, 5, Buffer.alloc(1)), ErrorCode.ProtocolError],
      ['an interrupted header block', Buffer.concat([frame(FrameType.Headers, 0, 1, requestBlock), frame(FrameType.Ping, 0, 0, Buffer.alloc(8))]), ErrorCode.ProtocolError],
      ['a frame above the maximum size', frame(FrameType.Data, 0, 1, Buffer.alloc(16_385)), ErrorCode.FrameSizeError],
    ];
    for (const [name, bytes, code] of cases) {
      const client = await rawClient(server.port);
      client.socket.write(name === 'a wrong preface' ? bytes : Buffer.concat([clientPrefaceForTest, frame(FrameType.Settings, 0, 0, Buffer.alloc(0)), bytes]));
      await Promise.race([client.closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`${name}: the connection did not close (${client.frames.map((item) => item.type).join(',')})`)), 3000))]);
      const goaway = client.frames.find((item) => item.type === FrameType.GoAway);
      assert.ok(goaway, `${name}: GOAWAY sent`);
      assert.equal(goaway.payload.readUInt32BE(4), code, name);
    }
    const client = await rawClient(server.port);
    const upperCase = Buffer.concat([requestBlock, hpackLiteral('without-indexing', 'X-Upper', 'v')]);
    client.socket.write(Buffer.concat([
      clientPrefaceForTest, frame(FrameType.Settings, 0, 0, Buffer.alloc(0)),
      frame(FrameType.Headers, FrameFlag.EndHeaders | FrameFlag.EndStream, 1, upperCase),
      frame(FrameType.Ping, 0, 0, Buffer.from('pingpong')),
      frame(FrameType.Headers, FrameFlag.EndHeaders | FrameFlag.EndStream, 3, requestBlock),
    ]));
    while (!client.frames.some((item) => item.type === FrameType.Headers && item.streamId === 3 && item.flags & FrameFlag.EndStream)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const reset = client.frames.find((item) => item.type === FrameType.RstStream);
    assert.equal(reset?.streamId, 1);
    assert.equal(reset?.payload.readUInt32BE(0), ErrorCode.ProtocolError);
    const pong = client.frames.find((item) => item.type === FrameType.Ping);
    assert.equal(pong?.flags, FrameFlag.Ack);
    assert.equal(pong?.payload.toString(), 'pingpong');
    assert.ok(!client.frames.some((item) => item.type === FrameType.GoAway), 'the connection stays up');
    client.socket.destroy();
  } finally {
    await server.close();
  }
});

test("DATA never exceeds the client's stream and connection windows, and resumes with its WINDOW_UPDATEs", { timeout: 20_000 }, async () => {
  const server = await serve((stream) => {
    stream.handlers = {
      onEnd: () => {
        stream.respond(okHeaders);
        stream.write(Buffer.alloc(200_000, 1));
        stream.end(okTrailers);
      },
    };
  });
  const dataBytes = (frames: Frame[], streamId: number): number =>
    frames.filter((item) => item.type === FrameType.Data && item.streamId === streamId).reduce((sum, item) => sum + item.payload.length, 0);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  try {
    const client = await rawClient(server.port);
    // A stream window of 1,000 bytes: the server may send that much on stream 1 and no more.
    client.socket.write(Buffer.concat([
      clientPrefaceForTest, frame(FrameType.Settings, 0, 0, Buffer.from([0, 4, 0, 0, 0x03, 0xe8])),
      frame(FrameType.Headers, FrameFlag.EndHeaders | FrameFlag.EndStream, 1, requestBlock),
    ]));
    await settle();
    assert.equal(dataBytes(client.frames, 1), 1_000);
    client.socket.write(frame(FrameType.WindowUpdate, 0, 1, Buffer.from([0, 0, 0x01, 0xf4])));
    await settle();
    assert.equal(dataBytes(client.frames, 1), 1_500);
    // A larger stream window: now the connection's 65,535 bytes are the limit.
    client.socket.write(frame(FrameType.Settings, 0, 0, Buffer.from([0, 4, 0, 0x10, 0, 0])));
    await settle();
    assert.equal(dataBytes(client.frames, 1), 65_535);
    client.socket.write(frame(FrameType.WindowUpdate, 0, 0, Buffer.from([0, 0x10, 0, 0])));
    await settle();
    assert.equal(dataBytes(client.frames, 1), 200_000);
    assert.ok(client.frames.some((item) => item.type === FrameType.Headers && item.streamId === 1 && item.flags & FrameFlag.EndStream), 'trailers after the last DATA');
    client.socket.destroy();
  } finally {
    await server.close();
  }
});

test('a body or trailers before the response headers are a programming error, not a silent hang', { timeout: 10_000 }, async () => {
  const failures: string[] = [];
  const server = await serve((stream) => {
    stream.handlers = {
      onEnd: () => {
        for (const misuse of [() => stream.write(Buffer.from('x')), () => stream.end(okTrailers)]) {
          try {
            misuse();
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
        stream.respond(okHeaders, true);
      },
    };
  });
  const client = http2.connect(server.url);
  try {
    const request = client.request({ ':method': 'GET', ':path': '/' }, { endStream: true });
    const [headers] = (await once(request, 'response')) as [http2.IncomingHttpHeaders];
    assert.equal(headers[':status'], 200);
    assert.deepEqual(failures, ['http2: stream 1: write() before respond()', 'http2: stream 1: end() before respond()']);
  } finally {
    client.close();
    await server.close();
  }
});
