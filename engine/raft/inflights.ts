// The flow-control window of one follower in the replicate state: the MsgApps sent but not yet acknowledged,
// bounded by count and by bytes so that a slow follower cannot make the leader buffer without limit.
import { assert } from '../common/assert.ts';

/** A ring buffer of (last index, bytes) for in-flight MsgApps. */
export class Inflights {
  private start = 0;
  private countValue = 0;
  private bytesValue = 0;
  private indexes: number[] = [];
  private sizes: number[] = [];
  private readonly capacity: number;
  private readonly maxBytes: number;

  /** `capacity` messages and `maxBytes` bytes (0: no byte limit). */
  constructor(capacity: number, maxBytes: number) {
    assert(capacity > 0, 'inflights capacity must be positive');
    this.capacity = capacity;
    this.maxBytes = maxBytes;
  }

  /** A copy with the same contents. */
  clone(): Inflights {
    const copy = new Inflights(this.capacity, this.maxBytes);
    copy.start = this.start;
    copy.countValue = this.countValue;
    copy.bytesValue = this.bytesValue;
    copy.indexes = this.indexes.slice();
    copy.sizes = this.sizes.slice();
    return copy;
  }

  /** Records a MsgApp whose last entry is `index`; indexes must increase. */
  add(index: number, bytes: number): void {
    assert(!this.full(), 'cannot add into a full inflights');
    let next = this.start + this.countValue;
    if (next >= this.capacity) next -= this.capacity;
    // The buffer grows lazily: most followers never fill a 512-message window.
    while (this.indexes.length <= next) {
      this.indexes.push(0);
      this.sizes.push(0);
    }
    this.indexes[next] = index;
    this.sizes[next] = bytes;
    this.countValue++;
    this.bytesValue += bytes;
  }

  /** Frees every in-flight message whose last index is <= `index` (they were acknowledged). */
  freeLE(index: number): void {
    if (this.countValue === 0 || index < this.indexes[this.start]) return;
    let position = this.start;
    let freed = 0;
    let freedBytes = 0;
    while (freed < this.countValue) {
      if (index < this.indexes[position]) break;
      freedBytes += this.sizes[position];
      freed++;
      position++;
      if (position >= this.capacity) position -= this.capacity;
    }
    this.countValue -= freed;
    this.bytesValue -= freedBytes;
    this.start = this.countValue === 0 ? 0 : position;
  }

  /** Frees the oldest in-flight message (a heartbeat response shows the follower is alive despite losses). */
  freeFirstOne(): void {
    if (this.countValue > 0) this.freeLE(this.indexes[this.start]);
  }

  /** Whether no more MsgApps may be sent. */
  full(): boolean {
    return this.countValue === this.capacity || (this.maxBytes > 0 && this.bytesValue >= this.maxBytes);
  }

  /** In-flight messages. */
  count(): number {
    return this.countValue;
  }

  /** In-flight bytes. */
  bytes(): number {
    return this.bytesValue;
  }

  /** Forgets everything in flight. */
  reset(): void {
    this.countValue = 0;
    this.bytesValue = 0;
    this.start = 0;
  }
}
