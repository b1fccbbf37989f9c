// One direction of a proxied TCP connection: reads from one socket, writes to the other, and can hold the data
// (a blackhole) or delay it (latency) at any moment. Held data is kept, not dropped: TCP never loses bytes in
// the middle of a stream, so a partition that ends lets the stalled bytes through, as retransmission would; and
// dropping them would corrupt the framing of the protocol inside, which no real network does. While held, the
// source is paused, so the kernel's buffers fill and the sender blocks, as it would behind a dead link.
import type net from 'node:net';

/** Bytes read ahead of the destination before the source is paused (back-pressure). */
export const pumpQueueBytesMax = 1024 * 1024;

/** Moves bytes from `from` to `to`, in order, with optional holding and delay. */
export class ProxyPump {
  /** Bytes written to the destination so far. */
  bytesForwarded = 0;
  private readonly queue: Array<{ chunk: Buffer; releaseAtMs: number }> = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingForDrain = false;
  private sourceEnded = false;
  private endForwarded = false;

  /** Starts pumping (or holding, when `held`) with a one-way delay of `latencyMs`. */
  constructor(private readonly from: net.Socket, private readonly to: net.Socket, private held: boolean, private latencyMs: number) {
    from.on('data', (chunk: Buffer) => this.accept(chunk));
    from.on('end', () => {
      this.sourceEnded = true;
      this.flush();
    });
    // Sockets accepted with pauseOnConnect stay paused until told otherwise, even with a 'data' listener.
    if (held) from.pause();
    else from.resume();
  }

  /** True while data is held back. */
  get isHeld(): boolean {
    return this.held;
  }

  /** Stops forwarding; what arrives meanwhile waits (and the sender is throttled by TCP). */
  hold(): void {
    this.held = true;
    this.from.pause();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Forwards again, each chunk delayed by `latencyMs` from its arrival. */
  release(latencyMs: number): void {
    this.held = false;
    this.latencyMs = latencyMs;
    this.flush();
  }

  private accept(chunk: Buffer): void {
    this.queue.push({ chunk, releaseAtMs: performance.now() + this.latencyMs });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes >= pumpQueueBytesMax) this.from.pause();
    this.flush();
  }

  private flush(): void {
    if (this.held || this.waitingForDrain || this.to.destroyed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const waitMs = this.queue[0].releaseAtMs - performance.now();
      if (waitMs > 0) {
        this.timer = setTimeout(() => this.flush(), waitMs);
        break;
      }
      const { chunk } = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
      this.bytesForwarded += chunk.length;
      if (!this.to.write(chunk)) {
        this.waitingForDrain = true;
        this.to.once('drain', () => {
          this.waitingForDrain = false;
          this.flush();
        });
        return;
      }
    }
    if (this.queue.length === 0 && this.sourceEnded && !this.endForwarded) {
      this.endForwarded = true;
      this.to.end();
    }
    if (this.queuedBytes < pumpQueueBytesMax && !this.sourceEnded) this.from.resume();
  }

  /** Drops the queue and its timer (the connection is being torn down). */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }
}
