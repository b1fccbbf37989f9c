// An ordered map from latin1 key strings to values: the container of the key index (etcd uses a B-tree of
// degree 32). A B+tree keeps every operation O(log n) with a million keys, where a sorted array would shift
// half a million slots on each new key; leaves are linked so a range scan walks contiguous arrays, which is
// what ranges over many keys and compaction spend their time on. Nodes hold up to `nodeEntriesMax` entries;
// underfull nodes (below a quarter) borrow from or merge with a sibling so the tree stays shallow after
// compaction removes many keys.
import { assert, AssertionError } from '../common/assert.ts';
import { treeIndexNodeEntriesMax } from '../common/limits.ts';

interface LeafNode<V> {
  leaf: true;
  keys: string[];
  values: V[];
  next: LeafNode<V> | undefined;
}

interface InternalNode<V> {
  leaf: false;
  /** keys[i] separates children[i] (keys < keys[i]) from children[i + 1] (keys >= keys[i]). */
  keys: string[];
  children: Array<TreeNode<V>>;
}

type TreeNode<V> = LeafNode<V> | InternalNode<V>;

/** Index of the first element >= key. */
function lowerBound(keys: string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first element > key (the child to descend into for `key`). */
function upperBound(keys: string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! <= key) low = middle + 1;
    else high = middle;
  }
  return low;
}

function sizeOf<V>(node: TreeNode<V>): number {
  return node.leaf ? node.keys.length : node.children.length;
}

/** An ordered map with string keys compared by code unit (byte order for latin1 keys). */
export class BPlusTree<V> {
  private root: TreeNode<V> = { leaf: true, keys: [], values: [], next: undefined };
  private count = 0;
  private readonly entriesMin: number;

  constructor(private readonly nodeEntriesMax = treeIndexNodeEntriesMax) {
    assert(nodeEntriesMax >= 4, 'B+tree nodes need room for at least 4 entries');
    this.entriesMin = Math.max(1, nodeEntriesMax >> 2);
  }

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** The value stored under `key`. */
  get(key: string): V | undefined {
    let node = this.root;
    while (!node.leaf) node = node.children[upperBound(node.keys, key)]!;
    const index = lowerBound(node.keys, key);
    return node.keys[index] === key ? node.values[index] : undefined;
  }

  /** Stores `value` under `key`; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const path: Array<{ node: InternalNode<V>; index: number }> = [];
    let node = this.root;
    while (!node.leaf) {
      const index = upperBound(node.keys, key);
      path.push({ node, index });
      node = node.children[index]!;
    }
    const position = lowerBound(node.keys, key);
    if (node.keys[position] === key) {
      node.values[position] = value;
      return false;
    }
    node.keys.splice(position, 0, key);
    node.values.splice(position, 0, value);
    this.count++;
    if (node.keys.length > this.nodeEntriesMax) this.splitUpwards(node, path);
    return true;
  }

  private splitUpwards(full: TreeNode<V>, path: Array<{ node: InternalNode<V>; index: number }>): void {
    let node = full;
    for (let depth = path.length; ; depth--) {
      if (sizeOf(node) <= this.nodeEntriesMax) return;
      const { separator, right } = node.leaf ? this.splitLeaf(node) : this.splitInternal(node);
      if (depth === 0) {
        this.root = { leaf: false, keys: [separator], children: [node, right] };
        return;
      }
      const { node: parent, index } = path[depth - 1]!;
      parent.keys.splice(index, 0, separator);
      parent.children.splice(index + 1, 0, right);
      node = parent;
    }
  }

  private splitLeaf(leaf: LeafNode<V>): { separator: string; right: LeafNode<V> } {
    const middle = leaf.keys.length >>> 1;
    const right: LeafNode<V> = { leaf: true, keys: leaf.keys.slice(middle), values: leaf.values.slice(middle), next: leaf.next };
    leaf.keys.length = middle;
    leaf.values.length = middle;
    leaf.next = right;
    return { separator: right.keys[0]!, right };
  }

  private splitInternal(node: InternalNode<V>): { separator: string; right: InternalNode<V> } {
    const middle = node.keys.length >>> 1;
    const separator = node.keys[middle]!;
    const right: InternalNode<V> = { leaf: false, keys: node.keys.slice(middle + 1), children: node.children.slice(middle + 1) };
    node.keys.length = middle;
    node.children.length = middle + 1;
    return { separator, right };
  }

  /** Removes `key`; returns its value, or undefined when absent. */
  delete(key: string): V | undefined {
    const path: Array<{ node: InternalNode<V>; index: number }> = [];
    let node = this.root;
    while (!node.leaf) {
      const index = upperBound(node.keys, key);
      path.push({ node, index });
      node = node.children[index]!;
    }
    const position = lowerBound(node.keys, key);
    if (node.keys[position] !== key) return undefined;
    const value = node.values[position]!;
    node.keys.splice(position, 1);
    node.values.splice(position, 1);
    this.count--;
    this.rebalanceUpwards(node, path);
    return value;
  }

  private rebalanceUpwards(start: TreeNode<V>, path: Array<{ node: InternalNode<V>; index: number }>): void {
    let node = start;
    for (let depth = path.length; depth > 0; depth--) {
      if (sizeOf(node) >= this.entriesMin) return;
      const { node: parent, index } = path[depth - 1]!;
      // Pair the node with its left sibling when it has one, else with its right sibling.
      const leftIndex = index > 0 ? index - 1 : index;
      const left = parent.children[leftIndex]!;
      const right = parent.children[leftIndex + 1];
      if (right === undefined) return; // an only child: nothing to pair with, the parent shrinks instead
      if (sizeOf(left) + sizeOf(right) <= this.nodeEntriesMax) {
        this.merge(parent, leftIndex, left, right);
      } else if (left === node) {
        this.borrowFromRight(parent, leftIndex, left, right);
        return;
      } else {
        this.borrowFromLeft(parent, leftIndex, left, right);
        return;
      }
      node = parent;
    }
    // The root shrinks when it is an internal node left with one child.
    while (!this.root.leaf && this.root.children.length === 1) this.root = this.root.children[0]!;
  }

  private merge(parent: InternalNode<V>, leftIndex: number, left: TreeNode<V>, right: TreeNode<V>): void {
    if (left.leaf && right.leaf) {
      left.keys.push(...right.keys);
      left.values.push(...right.values);
      left.next = right.next;
    } else if (!left.leaf && !right.leaf) {
      left.keys.push(parent.keys[leftIndex]!, ...right.keys);
      left.children.push(...right.children);
    } else {
      assert(false, 'B+tree siblings at different depths');
    }
    parent.keys.splice(leftIndex, 1);
    parent.children.splice(leftIndex + 1, 1);
  }

  private borrowFromRight(parent: InternalNode<V>, leftIndex: number, left: TreeNode<V>, right: TreeNode<V>): void {
    if (left.leaf && right.leaf) {
      left.keys.push(right.keys.shift()!);
      left.values.push(right.values.shift()!);
      parent.keys[leftIndex] = right.keys[0]!;
    } else if (!left.leaf && !right.leaf) {
      left.keys.push(parent.keys[leftIndex]!);
      left.children.push(right.children.shift()!);
      parent.keys[leftIndex] = right.keys.shift()!;
    }
  }

  private borrowFromLeft(parent: InternalNode<V>, leftIndex: number, left: TreeNode<V>, right: TreeNode<V>): void {
    if (left.leaf && right.leaf) {
      right.keys.unshift(left.keys.pop()!);
      right.values.unshift(left.values.pop()!);
      parent.keys[leftIndex] = right.keys[0]!;
    } else if (!left.leaf && !right.leaf) {
      right.keys.unshift(parent.keys[leftIndex]!);
      right.children.unshift(left.children.pop()!);
      parent.keys[leftIndex] = left.keys.pop()!;
    }
  }

  /**
   * Calls `visit` for every entry with start <= key < end, in ascending key order, until it returns false.
   * `end` undefined means no upper bound. The tree must not be modified during the visit.
   */
  forEachInRange(start: string, end: string | undefined, visit: (key: string, value: V) => boolean | void): void {
    let node = this.root;
    while (!node.leaf) node = node.children[upperBound(node.keys, start)]!;
    let leaf: LeafNode<V> | undefined = node;
    let index = lowerBound(leaf.keys, start);
    while (leaf !== undefined) {
      const keys = leaf.keys;
      for (; index < keys.length; index++) {
        const key = keys[index]!;
        if (end !== undefined && key >= end) return;
        if (visit(key, leaf.values[index]!) === false) return;
      }
      leaf = leaf.next;
      index = 0;
    }
  }

  /** Calls `visit` for every entry in ascending key order, until it returns false. */
  forEach(visit: (key: string, value: V) => boolean | void): void {
    this.forEachInRange('', undefined, visit);
  }

  /** Checks the structure (ordering, separators, sizes, equal leaf depth, leaf links); for tests. */
  checkInvariants(): void {
    const leaves: Array<LeafNode<V>> = [];
    let leafDepth = -1;
    const check = (node: TreeNode<V>, low: string | undefined, high: string | undefined, depth: number, isRoot: boolean): number => {
      assert(sizeOf(node) <= this.nodeEntriesMax, 'B+tree node overfull');
      for (let index = 1; index < node.keys.length; index++) assert(node.keys[index - 1]! < node.keys[index]!, 'B+tree keys out of order');
      for (const key of node.keys) {
        assert(low === undefined || key >= low, 'B+tree key below its subtree bound');
        assert(high === undefined || key < high, 'B+tree key above its subtree bound');
      }
      if (node.leaf) {
        assert(node.keys.length === node.values.length, 'B+tree leaf keys and values differ in length');
        if (leafDepth === -1) leafDepth = depth;
        assert(leafDepth === depth, 'B+tree leaves at different depths');
        leaves.push(node);
        return node.keys.length;
      }
      assert(node.children.length === node.keys.length + 1, 'B+tree internal node child count');
      assert(isRoot ? node.children.length >= 2 : node.children.length >= 1, 'B+tree internal node underfull');
      let total = 0;
      node.children.forEach((child, index) => {
        total += check(child, index === 0 ? low : node.keys[index - 1], index === node.keys.length ? high : node.keys[index], depth + 1, false);
      });
      return total;
    };
    const total = check(this.root, undefined, undefined, 0, true);
    if (!(total === this.count)) throw new AssertionError(`B+tree holds ${total} entries but counts ${this.count}`);
    for (let index = 0; index < leaves.length; index++) assert(leaves[index]!.next === leaves[index + 1], 'B+tree leaf links broken');
  }
}
