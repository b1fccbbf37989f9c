// The frames waiting for one peer's socket, in order. Bounded by the caller (PeerLink checks counts and bytes
// before it pushes); this only keeps the order and the byte count, and shifts in O(1) amortised.

/** A FIFO of encoded frames with their total size. */
export class OutboundQueue {
  private frames: Buffer[] = [];
  private head = 0;
  private byteCount = 0;

  /** Frames waiting. */
  get length(): number {
    return this.frames.length - this.head;
  }

  /** Bytes of the frames waiting. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Adds a frame at the end. */
  push(frame: Buffer): void {
    this.frames.push(frame);
    this.byteCount += frame.length;
  }

  /** Removes and returns the first frame. */
  shift(): Buffer | undefined {
    if (this.head >= this.frames.length) return undefined;
    const frame = this.frames[this.head]!;
    this.frames[this.head] = emptyFrame;
    this.head++;
    this.byteCount -= frame.length;
    // Drop the consumed prefix once it is most of the array, so a long-lived queue does not keep a long array.
    if (this.head >= 1024 && this.head * 2 >= this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  /** Empties the queue and returns how many frames were dropped. */
  clear(): number {
    const dropped = this.length;
    this.frames = [];
    this.head = 0;
    this.byteCount = 0;
    return dropped;
  }
}

const emptyFrame = Buffer.alloc(0);
