// The gateway's streaming methods (grpc-gateway style): the request body holds one or more JSON request
// messages; the response is a chunked stream of newline-separated {"result": <response>} objects.
// POST /v3/watch stays open and streams events until the client disconnects; /v3/lease/keepalive answers
// each request; /v3/maintenance/snapshot streams the backend copy and its sha256 trailer.
import type http from 'node:http';
import { EtcdError, GrpcCode } from '../common/errors.ts';
import { messageType } from '../proto/load.ts';
import type { ServerApi } from '../server/server-api.ts';
import type { WatchRequest__Output } from '../proto/generated/etcdserverpb/WatchRequest.ts';
import type { LeaseKeepAliveRequest__Output } from '../proto/generated/etcdserverpb/LeaseKeepAliveRequest.ts';
import { requestFromJson, responseToJson } from './gateway-json.ts';
import { readBody, writeGatewayError } from './gateway.ts';
import { WatchSession } from './watch-session.ts';
import { snapshotResponses } from './maintenance-service.ts';
import { httpCaller } from './call-credentials.ts';

/** A streaming gateway route handler (watch, keep-alive, snapshot). */
export type StreamRoute = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>;

/** Splits a body into the JSON messages it holds (one document, or one per line). */
export function parseJsonMessages(body: Buffer): unknown[] {
  const text = body.toString('utf8').trim();
  if (text === '') return [{}];
  try {
    return [JSON.parse(text)];
  } catch {
    try {
      return text.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
    } catch (error) {
      throw new EtcdError(GrpcCode.InvalidArgument, `invalid JSON body: ${(error as Error).message}`);
    }
  }
}

function startStream(response: http.ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
}

function writeResult(response: http.ServerResponse, typeName: string, message: object): boolean {
  return response.write(`${JSON.stringify({ result: responseToJson(messageType(typeName), message) })}\n`);
}

async function readMessages<T>(server: ServerApi, request: http.IncomingMessage, typeName: string): Promise<T[]> {
  const body = await readBody(request, server.limits.requestBytesMax * 2);
  return parseJsonMessages(body).map((json) => requestFromJson<T>(messageType(typeName), json));
}

function watchRoute(server: ServerApi): StreamRoute {
  return async (request, response) => {
    const requests = await readMessages<WatchRequest__Output>(server, request, 'etcdserverpb.WatchRequest');
    startStream(response);
    const session = new WatchSession(server, (message) => writeResult(response, 'etcdserverpb.WatchResponse', message), (error) => response.destroy(error), httpCaller(request));
    response.on('drain', () => session.resume());
    response.on('close', () => session.close());
    for (const message of requests) session.handle(message);
  };
}

function keepAliveRoute(server: ServerApi): StreamRoute {
  return async (request, response) => {
    const requests = await readMessages<LeaseKeepAliveRequest__Output>(server, request, 'etcdserverpb.LeaseKeepAliveRequest');
    const results: object[] = [];
    for (const message of requests) {
      const ttl = await server.leaseRenew(BigInt(message.ID));
      results.push({ header: server.header(), ID: message.ID, TTL: ttl });
    }
    startStream(response);
    for (const result of results) writeResult(response, 'etcdserverpb.LeaseKeepAliveResponse', result);
    response.end();
  };
}

function snapshotRoute(server: ServerApi): StreamRoute {
  return async (request, response) => {
    await readBody(request, server.limits.requestBytesMax);
    let started = false;
    try {
      for await (const message of snapshotResponses(server, httpCaller(request))) {
        if (!started) startStream(response);
        started = true;
        if (response.destroyed) return;
        if (!writeResult(response, 'etcdserverpb.SnapshotResponse', message)) await new Promise((resolve) => response.once('drain', resolve));
      }
      response.end();
    } catch (error) {
      if (!started) writeGatewayError(response, error);
      else response.destroy();
    }
  };
}

/** The streaming gateway routes, by path. */
export function streamRoutes(server: ServerApi): Map<string, StreamRoute> {
  return new Map([
    ['/v3/watch', watchRoute(server)],
    ['/v3/lease/keepalive', keepAliveRoute(server)],
    ['/v3/maintenance/snapshot', snapshotRoute(server)],
  ]);
}
