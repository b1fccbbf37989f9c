// Replays goldenHistory against a running etcd 3.4 and prints the HashKV answers as JSON, to paste into
// golden-history.ts. Not a test: run by hand against a throwaway etcd, e.g.
//   etcd --data-dir /tmp/golden --listen-client-urls http://127.0.0.1:23791 \
//        --advertise-client-urls http://127.0.0.1:23791 ... &
//   node --import tsx engine/mvcc/testing/record-etcd-golden.ts http://127.0.0.1:23791
// Writes go through etcd's JSON gateway (base64 keys, so any byte works); HashKV through etcdctl, since the
// 3.4 gateway does not expose it.
import { execFileSync } from 'node:child_process';
import { goldenHistory, type GoldenHash } from './golden-history.ts';

const endpoint = process.argv[2] ?? 'http://127.0.0.1:23791';

function base64(text: string): string {
  return Buffer.from(text, 'latin1').toString('base64');
}

async function call(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok || json.error) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
}

function hashKv(revision: number): GoldenHash {
  let output: string;
  try {
    output = execFileSync('etcdctl', ['--endpoints', endpoint, 'endpoint', 'hashkv', `--rev=${revision}`, '-w', 'json'], {
      env: { ...process.env, ETCDCTL_API: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    const message = /Error: (etcdserver: [^\n]+)/.exec(stderr)?.[1];
    if (message === undefined) throw error;
    return { error: message };
  }
  const [entry] = JSON.parse(output) as Array<{ HashKV: { hash: number; compact_revision: number; header: { revision: number } } }>;
  return { hash: entry!.HashKV.hash, compactRevision: entry!.HashKV.compact_revision, headerRevision: entry!.HashKV.header.revision };
}

const results: GoldenHash[] = [];
for (const step of goldenHistory) {
  switch (step.op) {
    case 'put':
      await call('/v3/kv/put', { key: base64(step.key), value: base64(step.value), lease: step.lease?.toString() });
      break;
    case 'delete':
      await call('/v3/kv/deleterange', { key: base64(step.key), range_end: step.end === undefined ? undefined : base64(step.end) });
      break;
    case 'txn':
      await call('/v3/kv/txn', {
        success: step.writes.map((write) =>
          'put' in write
            ? { request_put: { key: base64(write.put[0]), value: base64(write.put[1]) } }
            : { request_delete_range: { key: base64(write.delete), range_end: write.end === undefined ? undefined : base64(write.end) } },
        ),
      });
      break;
    case 'grant':
      await call('/v3/lease/grant', { TTL: 100000, ID: step.lease.toString() });
      break;
    case 'revoke':
      await call('/v3/kv/lease/revoke', { ID: step.lease.toString() });
      break;
    case 'compact':
      await call('/v3/kv/compaction', { revision: step.revision, physical: true });
      break;
    case 'hash':
      results.push(hashKv(step.revision));
      break;
  }
}
console.log(JSON.stringify(results));
