import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capnslogLine } from './capnslog-line.ts';

test('a capnslog line has a local timestamp with microseconds, a level letter and the package', () => {
  const now = new Date(2024, 0, 2, 3, 4, 5, 67);
  assert.equal(capnslogLine(now, 'E', 'etcdmain', 'error verifying flags, x.'), '2024-01-02 03:04:05.067000 E | etcdmain: error verifying flags, x.');
  assert.match(capnslogLine(new Date(), 'C', 'pkg/flags', 'm'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} C \| pkg\/flags: m$/);
});
