// Proves the relay against Node's own HTTP/2 server (nghttp2, the component that rejects URL authorities): requests
// whose :authority is a URL reach the server repaired, including a later request that refers to the repaired entry
// through the HPACK dynamic table, and a client that resets its connection does not crash the server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { relayWithAuthorityRepair } from './http2-authority-relay.ts';
import { clientPrefaceForTest, frame, hpackIndexed, hpackLiteral } from './http2-test-support.ts';

const HEADERS = 0x1;
const SETTINGS = 0x4;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

let server: net.Server;
let port: number;
const authorities: string[] = [];
const relayErrors: Error[] = [];

before(async () => {
  const http = http2.createServer();
  http.on('stream', (stream, headers) => {
    authorities.push(String(headers[':authority']));
    stream.respond({ ':status': 200 });
    stream.end();
  });
  server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    http.emit('connection', relayWithAuthorityRepair(socket, Buffer.alloc(0), (error) => relayErrors.push(error)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
});
after(() => server.close());

/** Sends raw client bytes and collects the server's bytes until it has answered `streams` requests or closed. */
async function exchange(input: Buffer, responses: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const seen = authorities.length;
  socket.write(input);
  const deadline = Date.now() + 5_000;
  while (authorities.length < seen + responses && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  socket.destroy();
}

test('URL authorities reach nghttp2 repaired, also when a later request refers to the dynamic table entry', async () => {
  authorities.length = 0;
  const first = Buffer.concat([hpackIndexed(2), hpackIndexed(6), hpackIndexed(4), hpackLiteral('incremental', 1, 'http://127.0.0.1:2379', { name: false, value: true })]);
  // Index 62 is the newest dynamic table entry: the :authority the first request added.
  const second = Buffer.concat([hpackIndexed(2), hpackIndexed(6), hpackIndexed(4), hpackIndexed(62)]);
  const third = Buffer.concat([hpackIndexed(2), hpackIndexed(6), hpackIndexed(4), hpackLiteral('never-indexed', ':authority', 'https://[::1]:2379/x')]);
  await exchange(Buffer.concat([
    clientPrefaceForTest, frame(SETTINGS, 0, 0, Buffer.alloc(0)),
    frame(HEADERS, END_HEADERS | END_STREAM, 1, first),
    frame(HEADERS, END_HEADERS | END_STREAM, 3, second),
    frame(HEADERS, END_HEADERS | END_STREAM, 5, third),
  ]), 3);
  assert.deepEqual(authorities, ['127.0.0.1:2379', '127.0.0.1:2379', '[::1]:2379']);
  assert.deepEqual(relayErrors, []);
});

test('a real HTTP/2 client works through the relay, and a connection reset mid-request is harmless', async () => {
  authorities.length = 0;
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const request = client.request({ ':path': '/' });
  request.resume();
  await once(request, 'end');
  client.close();
  assert.deepEqual(authorities, [`127.0.0.1:${port}`]);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(Buffer.concat([clientPrefaceForTest, frame(SETTINGS, 0, 0, Buffer.alloc(0)), Buffer.from([0, 0, 40, HEADERS])]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.resetAndDestroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(relayErrors, []);
});
