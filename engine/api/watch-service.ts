// The Watch service: one bidirectional gRPC stream carries one WatchSession (see watch-session.ts).
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ServerApi } from '../server/server-api.ts';
import type { WatchRequest__Output } from '../proto/generated/etcdserverpb/WatchRequest.ts';
import type { WatchResponse } from '../proto/generated/etcdserverpb/WatchResponse.ts';
import { WatchSession } from './watch-session.ts';
import { grpcCaller } from './call-credentials.ts';

function watchStream(server: ServerApi) {
  return (call: ServerDuplexStream<WatchRequest__Output, WatchResponse>): void => {
    const session = new WatchSession(server, (response) => call.write(response), (error) => call.destroy(error), grpcCaller(call));
    call.on('drain', () => session.resume());
    call.on('data', (request: WatchRequest__Output) => session.handle(request));
    call.on('end', () => {
      session.close();
      call.end();
    });
    for (const event of ['cancelled', 'error', 'close']) call.on(event, () => session.close());
  };
}

/** The grpc-js implementation of etcdserverpb.Watch. */
export function watchService(server: ServerApi): UntypedServiceImplementation {
  return { Watch: watchStream(server) };
}
