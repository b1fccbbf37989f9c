// The status bar reads the store revision from the cluster overview it already asks for (one call per refresh, no
// probe read): the overview carries the highest revision in its response headers, and each member's status its own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../../electron/common/wire-codec.ts';
import { useLocalHost } from './support/local-host.ts';
import { value } from './support/result-value.ts';
import { testClusterSize } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

describe(`the cluster overview's revision (${testClusterSize} members)`, () => {
  const app = useLocalHost('cairn-overview-revision-');

  test('follows a write at once, and every reachable member reports its own header revision', async () => {
    const written = value(await app.api.keys.put({ ...local, key: utf8('/overview/revision'), value: utf8('1') }));
    assert.equal(written.outcome, 'done');
    const overview = value(await app.api.cluster.overview(local));
    assert.ok(overview.revision !== null && overview.revision >= written.revision, `overview revision ${overview.revision}, write ${written.revision}`);
    const statuses = overview.members.map((member) => member.status);
    assert.equal(statuses.length, testClusterSize);
    for (const status of statuses) {
      assert.ok(status?.reachable, 'every member answered');
      assert.ok(status.revision > 0 && status.revision <= overview.revision, `member revision ${status.revision}`);
    }
    assert.equal(Math.max(...statuses.map((status) => (status?.reachable ? status.revision : 0))), overview.revision, 'the overview takes the highest');
  });
});
