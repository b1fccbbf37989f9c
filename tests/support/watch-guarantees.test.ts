// The watch checker on hand-written recordings: what etcd promises watchers, each broken once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertWatchGuarantees, checkWatchGuarantees, writesOfHistory, type WatchedWrite, type WatcherRecord, type WatchResponseRecord,
} from './watch-guarantees.ts';
import { HistoryBuilder } from './linearizability/history-builder.ts';

/** An event as [type, key, value, revision], or a progress notification as a number. */
type Item = readonly ['put' | 'delete', string, string | undefined, number] | number;

function response(...items: Item[]): WatchResponseRecord {
  const progress = items.find((item): item is number => typeof item === 'number');
  const events = items.filter((item) => typeof item !== 'number').map(([type, key, value, modRevision]) => ({ type, key, value, modRevision }));
  return progress === undefined ? { events } : { events, progressRevision: progress };
}

function watcher(name: string, key: string, rangeEnd: string | undefined, segments: Array<[number, WatchResponseRecord[]]>, caughtUpRevision?: number): WatcherRecord {
  return { name, key, rangeEnd, segments: segments.map(([startRevision, responses]) => ({ startRevision, responses })), caughtUpRevision };
}

/** a/1=v1@2, a/2=v2@3, a/1 deleted @4, a/2=v3@5; and an unknown-outcome put a/1=maybe. */
const writes: WatchedWrite[] = [
  { key: 'a/1', kind: 'put', value: 'v1', revision: 2, acknowledged: true },
  { key: 'a/2', kind: 'put', value: 'v2', revision: 3, acknowledged: true },
  { key: 'a/1', kind: 'delete', revision: 4, acknowledged: true },
  { key: 'a/2', kind: 'put', value: 'v3', revision: 5, acknowledged: true },
  { key: 'a/1', kind: 'put', value: 'maybe', acknowledged: false },
];
const put1 = ['put', 'a/1', 'v1', 2] as const;
const put2 = ['put', 'a/2', 'v2', 3] as const;
const delete1 = ['delete', 'a/1', undefined, 4] as const;
const put3 = ['put', 'a/2', 'v3', 5] as const;

function violations(...watchers: WatcherRecord[]): string[] {
  return checkWatchGuarantees(watchers, writes).violations;
}

function assertViolation(pattern: RegExp, ...watchers: WatcherRecord[]): void {
  const found = violations(...watchers);
  assert.ok(found.some((violation) => pattern.test(violation)), `expected ${pattern}, got:\n${found.join('\n')}`);
  assert.throws(() => assertWatchGuarantees(checkWatchGuarantees(watchers, writes)), /watch guarantees VIOLATED/);
}

describe('recordings that keep the guarantees', () => {
  test('a prefix watcher that saw every write, in one or many responses', () => {
    assert.deepEqual(violations(
      watcher('one', 'a/', 'a0', [[2, [response(put1, put2, delete1, put3)]]]),
      watcher('many', 'a/', 'a0', [[2, [response(put1), response(put2), response(delete1), response(put3)]]]),
    ), []);
  });

  test('a single-key watcher sees only its key, and a late start skips earlier writes', () => {
    assert.deepEqual(violations(
      watcher('key', 'a/2', undefined, [[1, [response(put2), response(put3)]]]),
      watcher('late', 'a/', '\0', [[4, [response(delete1, put3)]]]),
    ), []);
  });

  test('a watcher that reconnects at its last event + 1 loses nothing', () => {
    assert.deepEqual(violations(watcher('resumed', 'a/', 'a0', [[2, [response(put1, put2)]], [4, [response(delete1), response(put3)]]])), []);
  });

  test('a watcher may resume after a progress notification', () => {
    assert.deepEqual(violations(watcher('resumed', 'a/1', undefined, [[1, [response(put1), response(3)]], [4, [response(delete1)]]])), []);
  });

  test('an unknown-outcome write seen by all watchers at one revision, or by none', () => {
    const maybe = ['put', 'a/1', 'maybe', 6] as const;
    assert.deepEqual(violations(
      watcher('x', 'a/', 'a0', [[2, [response(put1, put2), response(delete1), response(put3), response(maybe)]]]),
      watcher('y', 'a/1', undefined, [[5, [response(maybe)]]]),
    ), []);
    assert.deepEqual(violations(watcher('x', 'a/', 'a0', [[2, [response(put1, put2, delete1, put3)]]])), []);
  });

  test('writes are taken from a recorded history: failed calls, reads and no-op writes left out', () => {
    const history = new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .failedPut('k', 'never', [1, 2])
      .get('k', [2, 3], 'a', 2, 2)
      .cas('k', 9, 'no', [3, 4], { succeeded: false, revision: 2 })
      .delete('j', [4, 5], { deleted: 0, revision: 2 })
      .cas('k', 2, 'b', [5, 6], { succeeded: true, revision: 3 })
      .put('k', 'lost?', [6, 7], 'unknown');
    assert.deepEqual(writesOfHistory(history.operations), [
      { key: 'k', kind: 'put', value: 'a', revision: 2, acknowledged: true },
      { key: 'k', kind: 'put', value: 'b', revision: 3, acknowledged: true },
      { key: 'k', kind: 'put', value: 'lost?', revision: undefined, acknowledged: false },
    ]);
  });
});

describe('broken guarantees are found', () => {
  test('events out of revision order', () => {
    assertViolation(/out of order/, watcher('w', 'a/', 'a0', [[2, [response(put2), response(put1), response(delete1, put3)]]]));
  });

  test('a duplicate event (a reconnect that resumed at the last event instead of last + 1)', () => {
    assertViolation(/arrived twice/, watcher('w', 'a/', 'a0', [[2, [response(put1, put2)]], [3, [response(put2, delete1, put3)]]]));
  });

  test('a missed write', () => {
    assertViolation(/missed delete a\/1 at revision 4/, watcher('w', 'a/', 'a0', [[2, [response(put1, put2), response(put3)]]]));
  });

  test('a reconnect that skipped revisions', () => {
    assertViolation(/resumed at 5 but only revisions up to 3/, watcher('w', 'a/', 'a0', [[2, [response(put1, put2)]], [5, [response(put3)]]]));
  });

  test('a watcher that never reached the revision it was expected to reach', () => {
    assertViolation(/only up to revision 3, but was expected to reach 5/, watcher('w', 'a/', 'a0', [[2, [response(put1, put2)]]], 5));
  });

  test('an event whose revision differs from the acknowledged write', () => {
    assertViolation(/acknowledged at revision 2/, watcher('w', 'a/1', undefined, [[1, [response(['put', 'a/1', 'v1', 3])]]]));
  });

  test('an event for a value nobody wrote, and one on the wrong key', () => {
    assertViolation(/nobody wrote this value/, watcher('w', 'a/1', undefined, [[5, [response(['put', 'a/1', 'ghost', 6])]]]));
    assertViolation(/was written to a\/2/, watcher('w', 'a/', 'a0', [[5, [response(['put', 'a/1', 'v3', 5])]]]));
  });

  test('a delete event nobody issued', () => {
    assertViolation(/nobody deleted/, watcher('w', 'a/2', undefined, [[4, [response(['delete', 'a/2', undefined, 6])]]]));
  });

  test('an event outside the watched range or before the start revision', () => {
    assertViolation(/outside the watched range/, watcher('w', 'a/1', undefined, [[1, [response(put1, put2)]]]));
    assertViolation(/before the start revision 3/, watcher('w', 'a/', 'a0', [[3, [response(put1, put2)]]]));
  });

  test('one revision split over two responses', () => {
    const txnWrites: WatchedWrite[] = [
      { key: 'a/1', kind: 'put', value: 'x', revision: 7, acknowledged: true },
      { key: 'a/2', kind: 'put', value: 'y', revision: 7, acknowledged: true },
    ];
    const split = watcher('w', 'a/', 'a0', [[7, [response(['put', 'a/1', 'x', 7]), response(['put', 'a/2', 'y', 7])]]]);
    const whole = watcher('w', 'a/', 'a0', [[7, [response(['put', 'a/1', 'x', 7], ['put', 'a/2', 'y', 7])]]]);
    assert.match(checkWatchGuarantees([split], txnWrites).violations.join('\n'), /split over two responses/);
    assert.deepEqual(checkWatchGuarantees([whole], txnWrites).violations, []);
  });

  test('a progress notification ahead of events', () => {
    assertViolation(/after a progress notification at 4/, watcher('w', 'a/', 'a0', [[2, [response(put1), response(4), response(put2, delete1, put3)]]]));
  });

  test('an unknown-outcome write seen at two revisions, or by one watcher and missed by another', () => {
    const at6 = ['put', 'a/1', 'maybe', 6] as const;
    const at7 = ['put', 'a/1', 'maybe', 7] as const;
    assertViolation(/saw this unknown-outcome put at revision 6/,
      watcher('x', 'a/1', undefined, [[5, [response(at6)]]]), watcher('y', 'a/1', undefined, [[5, [response(at7)]]]));
    assertViolation(/y: missed unknown-outcome put a\/1="maybe"/,
      watcher('x', 'a/1', undefined, [[5, [response(at6)]]]), watcher('y', 'a/1', undefined, [[5, [response(7)]]]));
  });
});
