// etcdctl runs against a real etcd with input and a timeout; requireTool fails on CI and skips elsewhere.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { etcdctl, etcdctlBinaryPath, requireTool, skipUnlessInstalled } from './etcdctl.ts';
import { etcdBinaryPath, startEtcd, type ClusterHandle } from './processes.ts';

describe('etcdctl against a real etcd', { skip: skipUnlessInstalled(etcdBinaryPath) || skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let cluster: ClusterHandle;
  before(async () => {
    cluster = await startEtcd();
  });
  after(() => cluster.stop());

  test('etcdctl put and get print what etcd stored', async () => {
    const put = await etcdctl(['put', 'greeting', 'hello'], { endpoints: cluster.endpoints });
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout.trim(), 'OK');
    const get = await etcdctl(['get', 'greeting', '--print-value-only'], { endpoints: cluster.clientUrls });
    assert.equal(get.stdout.trim(), 'hello');
  });

  test('etcdctl txn --interactive reads its script from stdin', async () => {
    // Compares, blank line, success ops, blank line, failure ops, blank line.
    const script = 'value("greeting") = "hello"\n\nput greeting bye\n\nput greeting never\n\n';
    const txn = await etcdctl(['txn', '--interactive'], { endpoints: cluster.endpoints, input: script });
    assert.equal(txn.code, 0, txn.stderr);
    // etcdctl 3.4 prints its prompts even when stdin is not a terminal.
    assert.match(txn.stdout, /^SUCCESS$/m);
    const get = await etcdctl(['get', 'greeting', '--print-value-only'], { endpoints: cluster.endpoints });
    assert.equal(get.stdout.trim(), 'bye');
  });

  test('a failing etcdctl reports its exit code and stderr', async () => {
    const result = await etcdctl(['get', ''], { endpoints: cluster.endpoints });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /key is not provided|Error/);
  });

  test('a run that outlives its timeout is killed and marked', async () => {
    const result = await etcdctl(['watch', 'never-written'], { endpoints: cluster.endpoints, timeoutMs: 500 });
    assert.equal(result.timedOut, true);
    assert.equal(result.code, null);
  });
});

test('requireTool throws for a missing tool on CI and skips elsewhere', () => {
  const saved = process.env.CI;
  try {
    process.env.CI = 'true';
    assert.throws(() => requireTool('cairn-no-such-tool'), /CI=true/);
    delete process.env.CI;
    let skipped: string | undefined;
    const context = { skip: (message?: string) => (skipped = message) } as unknown as TestContext;
    assert.equal(requireTool('cairn-no-such-tool', context), false);
    assert.match(skipped ?? '', /cairn-no-such-tool/);
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
});
