// A fixed-size set of small integers (which operations are linearized so far), with a compact string key so
// that (set, state) pairs can be memoized in a plain Set.

/** A set of the integers 0..size-1. */
export class Bitset {
  private readonly words: Uint32Array;

  /** An empty set able to hold 0..size-1. */
  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** Adds `index`. */
  set(index: number): void {
    this.words[index >>> 5] |= 1 << (index & 31);
  }

  /** Removes `index`. */
  clear(index: number): void {
    this.words[index >>> 5] &= ~(1 << (index & 31));
  }

  /** True when `index` is in the set. */
  has(index: number): boolean {
    return (this.words[index >>> 5] & (1 << (index & 31))) !== 0;
  }

  /** A string equal exactly for equal sets of the same size. */
  key(): string {
    // Sixteen bits per character keep the key short; the string is only compared, never shown.
    let text = '';
    for (const word of this.words) text += String.fromCharCode(word & 0xffff, word >>> 16);
    return text;
  }
}
