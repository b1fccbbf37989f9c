// One etcd Watch stream (a gRPC bidi call) with helpers for tests: create and cancel watchers and wait for their
// answers, and wait for events. etcd answers create requests in the order they were sent, with `created: true`,
// even when the create fails (then `canceled: true` too), so pending creates resolve first-in, first-out.
import type * as grpc from '@grpc/grpc-js';
import type { WatchRequest } from '../../engine/proto/generated/etcdserverpb/WatchRequest.ts';
import type { WatchCreateRequest } from '../../engine/proto/generated/etcdserverpb/WatchCreateRequest.ts';
import type { WatchResponse__Output } from '../../engine/proto/generated/etcdserverpb/WatchResponse.ts';
import type { Event__Output } from '../../engine/proto/generated/mvccpb/Event.ts';
import { withUtf8Bytes } from './request-bytes.ts';

/** How long a helper waits for an answer unless told otherwise, in milliseconds. */
export const watchWaitMsDefault = 5_000;

interface Waiter {
  matches: (response: WatchResponse__Output) => boolean;
  resolve: (response: WatchResponse__Output) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** A Watch stream that records every response and lets tests await the ones they care about. */
export class WatchStream {
  /** Every response received so far, in arrival order. */
  readonly responses: WatchResponse__Output[] = [];
  /** When each response arrived (`performance.now()` ms), parallel to `responses`. */
  readonly arrivalTimesMs: number[] = [];
  /** The error that ended the stream, if any. */
  error: Error | undefined;
  /** True once the server ended the stream or it failed. */
  ended = false;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners: Array<(response: WatchResponse__Output) => void> = [];
  private createsSent = 0;
  private createdReceived = 0;
  private readonly createdOrdinals = new WeakMap<WatchResponse__Output, number>();

  /** Wraps an open Watch call. */
  constructor(private readonly call: grpc.ClientDuplexStream<WatchRequest, WatchResponse__Output>) {
    call.on('data', (response: WatchResponse__Output) => this.receive(response));
    call.on('error', (error: Error) => this.finish(error));
    call.on('end', () => this.finish(undefined));
  }

  private receive(response: WatchResponse__Output): void {
    this.responses.push(response);
    this.arrivalTimesMs.push(performance.now());
    if (response.created) {
      this.createdOrdinals.set(response, this.createdReceived);
      this.createdReceived += 1;
    }
    for (const listener of this.listeners) listener(response);
    for (const waiter of this.waiters) {
      if (!waiter.matches(response)) continue;
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(response);
    }
  }

  private finish(error: Error | undefined): void {
    // A cancelled call (our own close) is the normal end of a stream, not a failure worth reporting.
    if (error && (error as Partial<grpc.ServiceError>).code !== 1) this.error = error;
    this.ended = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(this.error ?? new Error('watch stream ended'));
    }
    this.waiters.clear();
  }

  /** Calls `listener` for every response from now on (the bench uses it to time events). */
  onResponse(listener: (response: WatchResponse__Output) => void): void {
    this.listeners.push(listener);
  }

  /** Sends a raw request without waiting for anything. */
  send(request: WatchRequest): void {
    this.call.write(request);
  }

  /** Waits for the first response not yet received that satisfies `matches`. */
  next(matches: (response: WatchResponse__Output) => boolean, timeoutMs = watchWaitMsDefault): Promise<WatchResponse__Output> {
    if (this.ended) return Promise.reject(this.error ?? new Error('watch stream ended'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no matching watch response within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Creates a watcher and resolves with etcd's `created` answer (which says `canceled` if the create failed). */
  create(request: WatchCreateRequest, timeoutMs = watchWaitMsDefault): Promise<WatchResponse__Output> {
    // The n-th create sent is answered by the n-th `created` response on the stream.
    const ordinal = this.createsSent;
    this.createsSent += 1;
    const answer = this.next((response) => this.createdOrdinals.get(response) === ordinal, timeoutMs);
    this.send({ create_request: withUtf8Bytes(request) });
    return answer;
  }

  /** Cancels a watcher and resolves with the `canceled` answer; etcd sends none for an unknown id. */
  cancel(watchId: string, timeoutMs = watchWaitMsDefault): Promise<WatchResponse__Output> {
    const answer = this.next((response) => response.canceled === true && response.watch_id === watchId, timeoutMs);
    this.send({ cancel_request: { watch_id: watchId } });
    return answer;
  }

  /** Asks for a progress notification (etcd 3.4 answers at once with the current revision and watch id -1). */
  requestProgress(): void {
    this.send({ progress_request: {} });
  }

  /** Every event received so far for one watcher. */
  events(watchId: string): Event__Output[] {
    return this.responses.filter((response) => response.watch_id === watchId).flatMap((response) => response.events ?? []);
  }

  /** Waits until at least `count` events arrived for `watchId`; resolves with all of them. */
  async waitForEvents(watchId: string, count: number, timeoutMs = watchWaitMsDefault): Promise<Event__Output[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events(watchId).length < count) {
      if (this.ended) throw this.error ?? new Error('watch stream ended');
      if (Date.now() >= deadline) {
        throw new Error(`watch ${watchId}: ${this.events(watchId).length} of ${count} events within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.events(watchId);
  }

  /** Waits until no response has arrived for `quietMs` (bounded by `timeoutMs`). */
  async waitQuiet(quietMs: number, timeoutMs = watchWaitMsDefault): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const count = this.responses.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if (this.responses.length === count || this.ended || Date.now() >= deadline) return;
    }
  }

  /** Ends the stream from our side. */
  close(): void {
    this.call.cancel();
  }
}
