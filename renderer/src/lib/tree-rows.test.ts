import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue, TreeEntry } from '../../../electron/common/contract.ts';
import { flattenLevels, type TreeLevel } from './tree-rows.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const kv = (key: string): KeyValue => ({ key: bytes(key), value: new Uint8Array(), valueSize: null, valueTruncated: false, createRevision: 1, modRevision: 1, version: 1, lease: '0' });
const folder = (key: string, count: number): TreeEntry => ({ kind: 'folder', key: bytes(key), count });
const level = (prefix: string, entries: TreeEntry[], more = false): TreeLevel => ({ prefix: bytes(prefix), entries, more, next: null, loading: false, error: null });

test('only expanded folders show their children, each label relative to its folder', () => {
  const levels = new Map([
    ['', level('', [folder('app/', 3), { kind: 'key', kv: kv('readme') }])],
    ['app/', level('app/', [folder('app/db/', 1), { kind: 'key', kv: kv('app/name') }], true)],
  ]);
  const collapsed = flattenLevels(levels, '', new Set());
  assert.deepEqual(collapsed.map((row) => row.kind === 'folder' || row.kind === 'key' ? row.label : row.kind), ['app/', 'readme']);
  const open = flattenLevels(levels, '', new Set(['app/']));
  assert.deepEqual(open.map((row) => `${row.depth}:${row.kind === 'folder' || row.kind === 'key' ? row.label : row.kind}`), ['0:app/', '1:db/', '1:name', '1:more', '0:readme']);
});

test('an expanded folder that is still loading or failed says so', () => {
  const levels = new Map([
    ['', level('', [folder('a/', 1), folder('b/', 1)])],
    ['a/', { ...level('a/', []), loading: true }],
    ['b/', { ...level('b/', []), error: 'Permission denied' }],
  ]);
  const rows = flattenLevels(levels, '', new Set(['a/', 'b/']));
  assert.deepEqual(rows.map((row) => (row.kind === 'status' ? row.message : row.kind)), ['folder', 'Loading…', 'folder', 'Permission denied']);
});
