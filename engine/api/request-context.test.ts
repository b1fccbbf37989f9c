import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import * as grpc from '@grpc/grpc-js';
import { createAuthority, type CertificatePem } from '../../tests/support/certificates.ts';
import { listenClient, type ClientListener } from './client-listener.ts';
import { grpcCallIdentity, httpRequestIdentity, type ClientIdentity } from './request-context.ts';

const passThrough = (value: Buffer): Buffer => value;
const echoService = {
  Echo: {
    path: '/cairn.test.Echo/Echo', requestStream: false, responseStream: false,
    requestSerialize: passThrough, requestDeserialize: passThrough, responseSerialize: passThrough, responseDeserialize: passThrough,
  },
} satisfies grpc.ServiceDefinition;

let listener: ClientListener;
let grpcServer: grpc.Server;
let ca: string;
let alice: CertificatePem;
const grpcSeen: Array<ClientIdentity | undefined> = [];
const httpSeen: Array<ClientIdentity | undefined> = [];
const errors: string[] = [];

before(async () => {
  const authority = await createAuthority('request-context-ca');
  const server = await authority.sign({ commonName: 'server', ips: ['127.0.0.1'] });
  alice = await authority.sign({ commonName: 'alice' });
  ca = authority.certificate;
  grpcServer = new grpc.Server();
  grpcServer.addService(echoService, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      grpcSeen.push(grpcCallIdentity(call));
      callback(null, Buffer.from('ok'));
    },
  });
  const httpServer = http.createServer((request, response) => {
    httpSeen.push(httpRequestIdentity(request));
    response.end('ok');
  });
  listener = await listenClient(
    {
      host: '127.0.0.1', port: 0,
      tls: { cert: server.certificate, key: server.privateKey, ca, requestCert: true, rejectUnauthorized: true },
      onConnectionError: (error, remote) => errors.push(`${remote} ${error.message}`),
    },
    { grpc: grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure()), http: httpServer },
  );
});
after(async () => {
  await listener.close();
  grpcServer.forceShutdown();
});

test('a gRPC call over mutual TLS carries the Common Name of the verified client certificate', async () => {
  const Client = grpc.makeGenericClientConstructor(echoService, 'Echo');
  const credentials = grpc.credentials.createSsl(Buffer.from(ca), Buffer.from(alice.privateKey), Buffer.from(alice.certificate));
  const client = new Client(`127.0.0.1:${listener.address().port}`, credentials);
  try {
    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(echoService.Echo.path, passThrough, passThrough, Buffer.from('hi'), (error) => (error ? reject(error) : resolve())),
    );
  } finally {
    client.close();
  }
  assert.deepEqual(grpcSeen, [{ commonName: 'alice' }]);
});

test('an HTTP request over mutual TLS carries the Common Name of the verified client certificate', async () => {
  await new Promise<void>((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', port: listener.address().port, path: '/health', ca, cert: alice.certificate, key: alice.privateKey, agent: false },
      (response) => response.resume().on('end', () => resolve()),
    );
    request.on('error', reject).end();
  });
  assert.deepEqual(httpSeen, [{ commonName: 'alice' }]);
});

test('a client without a certificate is refused and the reason is reported with its address', async () => {
  const refused = new Promise<void>((resolve) => {
    const request = https.request({ host: '127.0.0.1', port: listener.address().port, path: '/health', ca, agent: false }, () => resolve());
    request.on('error', () => resolve()).end();
  });
  await refused;
  for (let attempt = 0; attempt < 50 && errors.length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.match(errors[0] ?? '', /^127\.0\.0\.1:\d+ .*(peer did not return a certificate|certificate required)/);
});
