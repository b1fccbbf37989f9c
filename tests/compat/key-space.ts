// The small key space of a compat run. Few keys make operations collide (overwrite, delete, compare on the same
// keys), and the space holds prefixes ('a' and 'a/'), a key that is a prefix of another ('a' of 'ab'), and keys
// of 0xff bytes, whose prefix end is etcd's "no end" byte. It has at most 12 keys on purpose: etcd sorts range
// results with Go's sort.Sort, which is not stable in general, but since Go 1.19 (this etcd 3.4.23 is built with
// go1.19.8) it uses insertion sort for 12 items or fewer, which is. So ties on the sort target keep ascending key
// order, even for DESCEND (sort.Reverse keeps ties in place), and results can be compared exactly.
import type { Rng } from './rng.ts';

/** Every key an operation may touch. */
export const keySpace: readonly Buffer[] = [
  'a', 'a/1', 'a/2', 'a/3', 'ab', 'b', 'b/1', 'b/2', 'c', 'c/1',
].map((text) => Buffer.from(text)).concat([Buffer.from([0xff]), Buffer.from([0xff, 0x00])]);

/** Prefixes used for prefix ranges, deletes and watches. */
export const prefixes: readonly Buffer[] = ['a', 'a/', 'b', 'b/', 'c'].map((text) => Buffer.from(text))
  .concat([Buffer.from([0xff])]);

/** etcd's "every key from here on" range end (a single zero byte). */
export const noEnd = Buffer.from([0]);

/** Values a put may write; few, so that value compares sometimes match. */
export const values: readonly Buffer[] = ['', 'x', 'y', 'z', 'hello'].map((text) => Buffer.from(text));

/** The range end that covers exactly the keys starting with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let index = end.length - 1; index >= 0; index -= 1) {
    if (end[index] < 0xff) {
      end[index] += 1;
      return end.subarray(0, index + 1);
    }
  }
  // Every byte is 0xff: no key is greater with this prefix, so the range runs to the end of the key space.
  return Buffer.from(noEnd);
}

/** A key and range end: a single key, a prefix, "from key on", "every key", or an interval (maybe reversed). */
export function randomKeyRange(rng: Rng): { key: Buffer; range_end?: Buffer } {
  const shape = rng.weighted({ single: 40, prefix: 22, fromKey: 10, all: 8, interval: 15, reversed: 5 });
  switch (shape) {
    case 'single':
      return { key: rng.pick(keySpace) };
    case 'prefix': {
      const prefix = rng.pick(prefixes);
      return { key: prefix, range_end: prefixEnd(prefix) };
    }
    case 'fromKey':
      return { key: rng.pick(keySpace), range_end: noEnd };
    case 'all':
      return { key: noEnd, range_end: noEnd };
    case 'interval':
    case 'reversed': {
      const [low, high] = [rng.pick(keySpace), rng.pick(keySpace)].sort(Buffer.compare);
      return shape === 'interval' ? { key: low, range_end: high } : { key: high, range_end: low };
    }
  }
}

/** A value for a put: usually from the small pool, sometimes unique, sometimes binary. */
export function randomValue(rng: Rng): Buffer {
  if (rng.chance(0.1)) return Buffer.from([0, rng.int(0, 255), 0xff]);
  if (rng.chance(0.2)) return Buffer.from(`v${rng.int(0, 1_000_000)}`);
  return rng.pick(values);
}
