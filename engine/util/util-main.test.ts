// The cairn-util command line: etcdctl's exit codes and messages, `snapshot status` in its formats over a Cairn
// snapshot, go-humanize's sizes, and flag parsing as cobra does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitBadArgs, exitError, runUtil } from './util-main.ts';
import { formatStatus, humanizeBytes } from './status-output.ts';
import { parseUtilArgv } from './util-argv.ts';
import { writeCairnSnapshot } from './util-testing.ts';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runUtil(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

test('snapshot status reports the revision, entry count and size of a Cairn snapshot, in etcd\'s formats', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-util-status-test-'));
  try {
    const file = await writeCairnSnapshot(directory);
    const json = await run(['snapshot', 'status', file, '-w', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const status = JSON.parse(json.stdout) as { hash: number; revision: number; totalKey: number; totalSize: number };
    // 4 fixture entries + 1 member + 1 removed member + the cluster ID + the consistent index.
    assert.deepEqual({ revision: status.revision, totalKey: status.totalKey, totalSize: status.totalSize }, { revision: 3, totalKey: 8, totalSize: fs.statSync(file).size - 32 });
    const again = await run(['snapshot', 'status', file, '--write-out=json']);
    assert.equal(JSON.parse(again.stdout).hash, status.hash, 'the same file hashes the same');
    const simple = await run(['snapshot', 'status', file]);
    assert.equal(simple.stdout, `${status.hash.toString(16)}, 3, 8, ${humanizeBytes(status.totalSize)}\n`);

  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('wrong arguments exit 128 and errors exit 1 with "Error: ", as etcdctl', async () => {
  const none = await run(['snapshot', 'restore']);
  assert.equal(none.code, exitBadArgs);
  assert.match(none.stderr, /^Error: snapshot restore requires exactly one argument\n/);
  const two = await run(['snapshot', 'status', 'a', 'b']);
  assert.equal(two.code, exitBadArgs);
  const missing = await run(['snapshot', 'status', '/nonexistent/snapshot.db']);
  assert.equal(missing.code, exitError);
  assert.match(missing.stderr, /^Error: ENOENT/);
  const unknown = await run(['snapshot', 'restore', 'x.db', '--bogus']);
  assert.equal(unknown.code, exitError);
  assert.equal(unknown.stderr, 'Error: unknown flag: --bogus\n');
  const format = await run(['snapshot', 'status', 'x.db', '-w', 'protobuf']);
  assert.equal(format.code, exitError);
  assert.match(format.stderr, /unsupported output format "protobuf"/);
  const help = await run(['snapshot', 'restore', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--skip-hash-check/);
});

test('flags parse as cobra reads them: any order, = or a separate value, booleans bare', () => {
  const parsed = parseUtilArgv(['snapshot', 'restore', '--name', 'm1', 'file.db', '--skip-hash-check', '--data-dir=/tmp/x']);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  assert.deepEqual(parsed.args, ['file.db']);
  assert.equal(parsed.flags.get('name'), 'm1');
  assert.equal(parsed.flags.get('data-dir'), '/tmp/x');
  assert.equal(parsed.flags.get('skip-hash-check'), 'true');
  assert.equal(parsed.flags.get('initial-cluster-token'), 'etcd-cluster', "etcd's default");
  assert.deepEqual(parseUtilArgv(['snapshot', 'restore', 'f', '--name']), { kind: 'error', message: 'flag needs an argument: --name' });
});

test('sizes read as go-humanize prints them, and the table looks like etcdctl\'s', () => {
  assert.deepEqual([0, 9, 10, 999, 1000, 24_576, 57_344, 2_100_000, 1_500_000_000].map(humanizeBytes),
    ['0 B', '9 B', '10 B', '999 B', '1.0 kB', '25 kB', '57 kB', '2.1 MB', '1.5 GB']);
  assert.equal(formatStatus({ hash: 0x5c80a4d3, revision: 53, totalKey: 59, totalSize: 24_576 }, 'table'), [
    '+----------+----------+------------+------------+',
    '|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |',
    '+----------+----------+------------+------------+',
    '| 5c80a4d3 |       53 |         59 |      25 kB |',
    '+----------+----------+------------+------------+',
  ].join('\n'));
});
