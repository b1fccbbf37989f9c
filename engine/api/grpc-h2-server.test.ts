// The own HTTP/2 gRPC server with grpc-js's client on a real socket: unary, server-streaming and bidirectional
// calls, statuses and error metadata, deadlines, size limits, unknown methods, cancellation and backpressure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Client, credentials, Metadata, status, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { GrpcH2Server, grpcMethods } from './grpc-h2-server.ts';

const identity = (value: Buffer): Buffer => value;
const method = (path: string, requestStream: boolean, responseStream: boolean) => ({
  path, requestStream, responseStream, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
});
const definition = {
  Echo: method('/test.Test/Echo', false, false),
  Fail: method('/test.Test/Fail', false, false),
  Slow: method('/test.Test/Slow', false, false),
  Count: method('/test.Test/Count', false, true),
  Chat: method('/test.Test/Chat', true, true),
} as unknown as ServiceDefinition;

type Callback = (error: unknown, response?: Buffer) => void;
interface StreamCallLike {
  request: Buffer;
  metadata: { get(key: string): Array<string | Buffer> };
  cancelled: boolean;
  write(message: Buffer): boolean;
  end(): void;
  on(event: string, listener: (...args: never[]) => void): void;
}

const cancelled: string[] = [];
const implementation = {
  Echo: (call: { request: Buffer; metadata: StreamCallLike['metadata'] }, callback: Callback) =>
    callback(null, Buffer.concat([call.request, Buffer.from(`|${String(call.metadata.get('token')[0] ?? '')}`)])),
  Fail: (_call: unknown, callback: Callback) => {
    const metadata = new Metadata();
    metadata.set('x-reason', 'because');
    callback(Object.assign(new Error('etcdserver: key not found'), { code: status.NOT_FOUND, details: 'etcdserver: key not found', metadata }));
  },
  Slow: (call: StreamCallLike & { on(event: string, listener: () => void): void }, callback: Callback) => {
    call.on('cancelled', () => cancelled.push('slow'));
    setTimeout(() => callback(null, Buffer.from('late')), 2_000).unref();
  },
  Count: (call: StreamCallLike) => {
    const total = call.request.readUInt32BE(0);
    let sent = 0;
    const more = (): void => {
      while (sent < total) {
        sent++;
        if (!call.write(Buffer.alloc(16 * 1024, sent % 256))) return;
      }
      call.end();
    };
    call.on('drain', more);
    more();
  },
  Chat: (call: StreamCallLike) => {
    call.on('data', (message: Buffer) => call.write(Buffer.concat([Buffer.from('re:'), message])));
    call.on('end', () => call.end());
  },
};

/** Calls counted by the server: "path started", "path code"; and message bytes. */
const counted: string[] = [];
const countedBytes = { received: 0, sent: 0 };

async function start(): Promise<{ client: Client; close(): Promise<void> }> {
  const server = new GrpcH2Server(grpcMethods([[definition, implementation as never]]), {
    receiveBytesMax: 64 * 1024, concurrentStreamsMax: 100,
    counter: {
      started: (method) => counted.push(`${method.path} started`),
      handled: (method, code) => counted.push(`${method.path} ${code}`),
      received: (bytes) => (countedBytes.received += bytes),
      sent: (bytes) => (countedBytes.sent += bytes),
    },
  });
  const listener = net.createServer((socket) => server.serve(socket));
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const client = new Client(`127.0.0.1:${(listener.address() as net.AddressInfo).port}`, credentials.createInsecure());
  return {
    client,
    close: async () => {
      client.close();
      await server.close();
      listener.close();
    },
  };
}

function unary(client: Client, path: string, request: Buffer, options: { metadata?: Metadata; deadline?: number } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const callOptions = options.deadline ? { deadline: Date.now() + options.deadline } : {};
    client.makeUnaryRequest(path, identity, identity, request, options.metadata ?? new Metadata(), callOptions, (error, response) => (error ? reject(error) : resolve(response!)));
  });
}

test('unary calls: the answer, the metadata the handler reads, statuses with their metadata', { timeout: 20_000 }, async () => {
  const { client, close } = await start();
  try {
    const metadata = new Metadata();
    metadata.set('token', 'secret');
    assert.equal((await unary(client, '/test.Test/Echo', Buffer.from('hello'), { metadata })).toString(), 'hello|secret');
    for (let index = 0; index < 200; index++) assert.equal((await unary(client, '/test.Test/Echo', Buffer.from(`m${index}`))).toString(), `m${index}|`);
    const failure = (await unary(client, '/test.Test/Fail', Buffer.alloc(0)).catch((error: unknown) => error)) as ServiceError;
    assert.equal(failure.code, status.NOT_FOUND);
    assert.equal(failure.details, 'etcdserver: key not found');
    assert.deepEqual(failure.metadata.get('x-reason'), ['because']);
    const unknown = (await unary(client, '/test.Test/Nope', Buffer.alloc(0)).catch((error: unknown) => error)) as ServiceError;
    assert.equal(unknown.code, status.UNIMPLEMENTED);
    assert.equal(unknown.details, 'The server does not implement the method /test.Test/Nope');
    const large = (await unary(client, '/test.Test/Echo', Buffer.alloc(64 * 1024 + 1)).catch((error: unknown) => error)) as ServiceError;
    assert.equal(large.code, status.RESOURCE_EXHAUSTED);
    assert.equal(large.details, 'Received message larger than max (65537 vs 65536)');
    assert.equal((await unary(client, '/test.Test/Echo', Buffer.alloc(64 * 1024, 1))).length, 64 * 1024 + 1, 'at the limit');
  } finally {
    await close();
  }
});

test('a deadline ends the call with DEADLINE_EXCEEDED and cancels it on the server', { timeout: 20_000 }, async () => {
  const { client, close } = await start();
  try {
    const failure = (await unary(client, '/test.Test/Slow', Buffer.alloc(0), { deadline: 200 }).catch((error: unknown) => error)) as ServiceError;
    assert.equal(failure.code, status.DEADLINE_EXCEEDED);
    for (let wait = 0; wait < 100 && !cancelled.includes('slow'); wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(cancelled.includes('slow'), 'the handler heard of the cancellation');
  } finally {
    await close();
  }
});

test('server streaming with backpressure, and a bidirectional stream', { timeout: 30_000 }, async () => {
  const { client, close } = await start();
  try {
    const count = client.makeServerStreamRequest('/test.Test/Count', identity, identity, Buffer.from([0, 0, 1, 0]), new Metadata(), {});
    const received: Buffer[] = [];
    count.on('data', (message: Buffer) => received.push(message));
    const [state] = (await once(count, 'status')) as [{ code: number }];
    assert.equal(state.code, status.OK);
    assert.equal(received.length, 256);
    received.forEach((message, index) => assert.deepEqual(message, Buffer.alloc(16 * 1024, (index + 1) % 256)));

    const chat = client.makeBidiStreamRequest('/test.Test/Chat', identity, identity, new Metadata(), {});
    const replies: string[] = [];
    chat.on('data', (message: Buffer) => replies.push(message.toString()));
    for (const word of ['a', 'b', 'c']) chat.write(Buffer.from(word));
    chat.end();
    const [chatStatus] = (await once(chat, 'status')) as [{ code: number }];
    assert.equal(chatStatus.code, status.OK);
    assert.deepEqual(replies, ['re:a', 're:b', 're:c']);
  } finally {
    await close();
  }
});

test('every call that reaches a method is counted once when it starts and once with its status', { timeout: 20_000 }, async () => {
  const { client, close } = await start();
  try {
    counted.length = 0;
    await unary(client, '/test.Test/Echo', Buffer.from('x'));
    await unary(client, '/test.Test/Fail', Buffer.alloc(0)).catch(() => undefined);
    await unary(client, '/test.Test/Slow', Buffer.alloc(0), { deadline: 100 }).catch(() => undefined);
    await unary(client, '/test.Test/Nope', Buffer.alloc(0)).catch(() => undefined);
    for (let wait = 0; wait < 100 && counted.length < 6; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(counted, [
      '/test.Test/Echo started', `/test.Test/Echo ${status.OK}`,
      '/test.Test/Fail started', `/test.Test/Fail ${status.NOT_FOUND}`,
      '/test.Test/Slow started', `/test.Test/Slow ${status.DEADLINE_EXCEEDED}`,
    ]);
  } finally {
    await close();
  }
});

test('message bytes are counted without gRPC\'s 5-byte prefixes, unary and streaming', { timeout: 20_000 }, async () => {
  const { client, close } = await start();
  try {
    Object.assign(countedBytes, { received: 0, sent: 0 });
    assert.equal((await unary(client, '/test.Test/Echo', Buffer.from('hello'))).toString(), 'hello|');
    assert.deepEqual(countedBytes, { received: 5, sent: 6 });
    const chat = client.makeBidiStreamRequest('/test.Test/Chat', identity, identity, new Metadata(), {});
    for (const word of ['a', 'bc']) chat.write(Buffer.from(word));
    chat.end();
    await once(chat.resume(), 'status');
    assert.deepEqual(countedBytes, { received: 5 + 3, sent: 6 + 're:a'.length + 're:bc'.length });
  } finally {
    await close();
  }
});
