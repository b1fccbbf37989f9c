// Proves the first-request probe over real sockets: it answers with an empty SETTINGS frame, waits for the first
// header block and for the acknowledgement of its SETTINGS (in either order, split across chunks), removes that
// acknowledgement from the bytes it hands on, and tells URL-shaped authorities from valid ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { emptySettingsFrame, probeFirstRequest, type FirstRequestVerdict } from './http2-first-request.ts';
import { clientPrefaceForTest, frame, hpackIndexed, hpackLiteral } from './http2-test-support.ts';

const HEADERS = 0x1;
const SETTINGS = 0x4;
const CONTINUATION = 0x9;
const ACK = 0x1;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

const clientSettings = frame(SETTINGS, 0, 0, Buffer.from([0, 4, 0, 0, 0xff, 0xff]));
const settingsAck = frame(SETTINGS, ACK, 0, Buffer.alloc(0));

function requestBlock(authority: string): Buffer {
  return Buffer.concat([hpackIndexed(3), hpackIndexed(6), hpackIndexed(4), hpackLiteral('without-indexing', 1, authority)]);
}

/** Runs the probe on the server side of a real connection; the client writes `chunks` one by one. */
async function probe(chunks: Buffer[]): Promise<{ verdict: FirstRequestVerdict; serverSent: Buffer }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.setNoDelay(true);
  const serverSent: Buffer[] = [];
  client.on('data', (chunk: Buffer) => serverSent.push(chunk));
  const [socket] = await accepted;
  const verdictPromise = probeFirstRequest(socket, Buffer.alloc(0));
  for (const chunk of chunks) {
    client.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const verdict = await verdictPromise;
  client.destroy();
  socket.destroy();
  server.close();
  return { verdict, serverSent: Buffer.concat(serverSent) };
}

test('a valid authority needs no repair; the ACK of the probe SETTINGS is removed, everything else kept in order', async () => {
  const headers = frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock('127.0.0.1:2379'));
  const { verdict, serverSent } = await probe([clientPrefaceForTest, clientSettings, headers, settingsAck]);
  assert.equal(verdict.needsAuthorityRepair, false);
  assert.deepEqual(verdict.received, Buffer.concat([clientPrefaceForTest, clientSettings, headers]));
  assert.deepEqual(serverSent, emptySettingsFrame);
});

test('a URL authority needs repair, also when the ACK comes first and frames are split across chunks', async () => {
  const headers = frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock('http://127.0.0.1:2379'));
  const bytes = Buffer.concat([clientPrefaceForTest, clientSettings, settingsAck, headers]);
  const chunks = [bytes.subarray(0, 30), bytes.subarray(30, 50), bytes.subarray(50)];
  const { verdict } = await probe(chunks);
  assert.equal(verdict.needsAuthorityRepair, true);
  assert.deepEqual(verdict.received, Buffer.concat([clientPrefaceForTest, clientSettings, headers]));
});

test('a header block continued in CONTINUATION frames is judged whole', async () => {
  const block = requestBlock('http://127.0.0.1:2379');
  const first = frame(HEADERS, END_STREAM, 1, block.subarray(0, 4));
  const rest = frame(CONTINUATION, END_HEADERS, 1, block.subarray(4));
  const { verdict } = await probe([clientPrefaceForTest, clientSettings, settingsAck, first, rest]);
  assert.equal(verdict.needsAuthorityRepair, true);
});

test('the verdict waits for the ACK: a request alone does not end the probe', async () => {
  const headers = frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock('127.0.0.1:2379'));
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [socket] = await accepted;
  let settled = false;
  const verdict = probeFirstRequest(socket, Buffer.alloc(0)).finally(() => (settled = true));
  client.write(Buffer.concat([clientPrefaceForTest, clientSettings, headers]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(settled, false);
  client.write(settingsAck);
  assert.equal((await verdict).needsAuthorityRepair, false);
  client.destroy();
  socket.destroy();
  server.close();
});

test('a connection closed before its first request rejects the probe', async () => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [socket] = await accepted;
  socket.on('error', () => undefined);
  const verdict = probeFirstRequest(socket, Buffer.alloc(0));
  client.end(clientPrefaceForTest);
  await assert.rejects(verdict, /closed before its first request/);
  server.close();
});
