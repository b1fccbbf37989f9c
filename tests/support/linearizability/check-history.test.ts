// The linearizability checker on hand-written histories: what it must accept, what it must reject, and that a
// search it cannot finish ends as 'unknown' (a failure), never as a pass.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertLinearizable, checkLinearizability, type LinearizabilityReport } from './check-history.ts';
import { HistoryBuilder } from './history-builder.ts';

function verdict(history: HistoryBuilder, timeoutMs?: number): LinearizabilityReport {
  return checkLinearizability(history.operations, { timeoutMs });
}

function assertOk(history: HistoryBuilder): void {
  const report = verdict(history);
  assert.equal(report.outcome, 'ok', report.summary);
}

function assertIllegal(history: HistoryBuilder, detail?: RegExp): LinearizabilityReport {
  const report = verdict(history);
  assert.equal(report.outcome, 'illegal', 'expected a violation');
  if (detail) assert.match(report.summary, detail);
  return report;
}

describe('linearizable histories are accepted', () => {
  test('sequential put, get, delete, get', () => {
    assertOk(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .get('k', [2, 3], 'a', 2, 2)
      .delete('k', [4, 5], { deleted: 1, revision: 3 })
      .get('k', [6, 7], undefined, 0, 3));
  });

  test('overlapping calls may take effect in either order', () => {
    // The get overlaps both puts, so it may see the first value; the second get must see the later write.
    assertOk(new HistoryBuilder()
      .put('k', 'a', [0, 10], 2, 1)
      .put('k', 'b', [1, 11], 3, 2)
      .get('k', [2, 12], 'a', 2, 2, 3)
      .get('k', [13, 14], 'b', 3, 3, 3));
  });

  test('a read concurrent with a write that returned later may already see it', () => {
    assertOk(new HistoryBuilder()
      .put('k', 'a', [0, 20], 2, 1)
      .get('k', [5, 6], 'a', 2, 2, 2));
  });

  test('keys are independent, and revisions interleave across them', () => {
    assertOk(new HistoryBuilder()
      .put('x', 'x1', [0, 1], 2)
      .put('y', 'y1', [2, 3], 3)
      .get('x', [4, 5], 'x1', 2, 3)
      .cas('y', 3, 'y2', [6, 7], { succeeded: true, revision: 4 })
      .cas('x', 3, 'x2', [8, 9], { succeeded: false, revision: 4 })
      .get('y', [10, 11], 'y2', 4, 4));
  });

  test('a CAS against 0 creates an absent key', () => {
    assertOk(new HistoryBuilder()
      .cas('k', 0, 'a', [0, 1], { succeeded: true, revision: 2 })
      .cas('k', 0, 'b', [2, 3], { succeeded: false, revision: 2 })
      .get('k', [4, 5], 'a', 2, 2));
  });

  test('a write whose outcome is unknown may be seen later', () => {
    assertOk(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .put('k', 'lost?', [2, 3], 'unknown')
      .get('k', [10, 11], 'lost?', 3, 3));
  });

  test('a write whose outcome is unknown may never be seen', () => {
    assertOk(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .put('k', 'lost?', [2, 3], 'unknown')
      .get('k', [10, 11], 'a', 2, 2));
  });

  test('a write whose outcome is unknown may take effect long after its caller gave up', () => {
    assertOk(new HistoryBuilder()
      .put('k', 'late', [0, 1], 'unknown')
      .get('k', [10, 11], undefined, 0, 1)
      .get('k', [20, 21], 'late', 2, 2));
  });

  test('an unknown CAS against an unknown mod revision may have succeeded', () => {
    assertOk(new HistoryBuilder()
      .put('k', 'a', [0, 1], 'unknown')
      .cas('k', 7, 'b', [2, 3], 'unknown')
      .get('k', [10, 11], 'b', 8, 8));
  });

  test('a failed call does not count', () => {
    assertOk(new HistoryBuilder()
      .failedPut('k', 'never', [0, 1])
      .get('k', [2, 3], undefined, 0, 1));
  });
});

describe('violations are found', () => {
  test('a stale read (an older value after a newer write returned)', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .put('k', 'b', [2, 3], 3)
      .get('k', [4, 5], 'a', 2, 3), /read "a" but the key holds "b"/);
  });

  test('a lost write (an acknowledged put not seen by a later read)', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .get('k', [2, 3], undefined, 0, 2), /read absent but the key holds "a"/);
  });

  test('a read of a value nobody wrote', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .get('k', [2, 3], 'zzz', 2, 2), /read "zzz"/);
  });

  test('a read of the right value at the wrong mod revision', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .get('k', [2, 3], 'a', 5, 5), /mod revision 5/);
  });

  test('an unknown write seen, then unseen without a delete', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .put('k', 'maybe', [2, 3], 'unknown')
      .get('k', [4, 5], 'maybe', 3, 3)
      .get('k', [6, 7], 'a', 2, 3));
  });

  test('an unknown write seen before it was invoked', () => {
    assertIllegal(new HistoryBuilder()
      .get('k', [0, 1], 'future', 2, 2)
      .put('k', 'future', [2, 3], 'unknown'));
  });

  test('a CAS that succeeded although the mod revision differed', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .cas('k', 1, 'b', [2, 3], { succeeded: true, revision: 3 }), /succeeded but mod revision 2 != 1/);
  });

  test('a CAS that failed although the mod revision matched', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .cas('k', 2, 'b', [2, 3], { succeeded: false, revision: 2 }), /failed but mod revision is 2/);
  });

  test('a delete that deleted nothing although the key existed', () => {
    assertIllegal(new HistoryBuilder()
      .put('k', 'a', [0, 1], 2)
      .delete('k', [2, 3], { deleted: 0, revision: 2 }), /deleted 0 but the key holds "a"/);
  });

  test('two writes acknowledged at the same revision (on different keys)', () => {
    assertIllegal(new HistoryBuilder()
      .put('x', 'a', [0, 1], 2)
      .put('y', 'b', [2, 3], 2), /two writes were acknowledged at revision 2/);
  });

  test('a revision going back in real time across keys', () => {
    assertIllegal(new HistoryBuilder()
      .put('x', 'a', [0, 1], 5)
      .get('y', [2, 3], undefined, 0, 4), /revision went back in real time/);
  });

  test('a write revision not above a revision read earlier on the same key', () => {
    // The writes overlap, so real-time order allows it; only the per-key floor catches it.
    assertIllegal(new HistoryBuilder()
      .get('k', [0, 10], undefined, 0, 7)
      .put('k', 'a', [5, 6], 7), /not above/);
  });
});

describe('a bounded search', () => {
  test('a search that runs out of time is unknown, and asserting it fails', () => {
    // Many concurrent unknown writes and a read of a value nobody wrote: proving it illegal means trying
    // every subset of the writes before the read, far more than 50 ms of work.
    const history = new HistoryBuilder();
    for (let index = 0; index < 24; index += 1) history.put('k', `v${index}`, [0, 1 + index], 'unknown', index);
    history.get('k', [100, 101], 'never-written', 30, 30, 99);
    const report = verdict(history, 50);
    assert.equal(report.outcome, 'unknown', report.summary);
    assert.throws(() => assertLinearizable(report), /UNKNOWN, which fails the test/);
  });

  test('a search that runs out of memo space is unknown', () => {
    const history = new HistoryBuilder();
    for (let index = 0; index < 10; index += 1) history.put('k', `v${index}`, [0, 1], 'unknown', index);
    history.get('k', [100, 101], 'never-written', 30, 30, 99);
    const report = checkLinearizability(history.operations, { memoEntriesMax: 5 });
    assert.equal(report.outcome, 'unknown');
    assert.match(report.summary, /more than 5 search states/);
  });

  test('asserting a violation names it', () => {
    const report = verdict(new HistoryBuilder().put('k', 'a', [0, 1], 2).get('k', [2, 3], undefined, 0, 2));
    assert.throws(() => assertLinearizable(report), /VIOLATED[\s\S]*key k/);
  });

  test('a long sequential history is checked quickly', () => {
    const history = new HistoryBuilder();
    let revision = 1;
    for (let index = 0; index < 5_000; index += 1) {
      const time = index * 10;
      revision += 1;
      history.put(`k${index % 4}`, `v${index}`, [time, time + 5], revision, index % 7);
      history.get(`k${index % 4}`, [time + 6, time + 8], `v${index}`, revision, revision, index % 5);
    }
    const started = performance.now();
    assertOk(history);
    assert.ok(performance.now() - started < 5_000, `took ${performance.now() - started} ms`);
  });
});
