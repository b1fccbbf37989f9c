// Authentication and role-based access with Debian's etcdctl 3.4 against one member of the target
// (E2E_TARGET=cairn|etcd, default cairn): users and roles, `auth enable`, `--user name:password`, permission
// denied outside the granted range, root doing everything, wrong passwords refused, `auth disable`, and a
// permission matrix (two users x three key ranges x read/write) whose outcomes must be identical on both targets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled, type EtcdctlResult } from '../support/etcdctl.ts';
import type { ClusterHandle } from '../support/processes.ts';
import { startTarget, target, targetUnavailableReason } from './target.ts';

const root = 'root:rootpw';
const alice = 'alice:alicepw';
const bob = 'bob:bobpw';

describe(`auth with etcdctl 3.4 against one ${target} member`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let cluster: ClusterHandle;
  let endpoints: readonly string[];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startTarget();
    endpoints = cluster.endpoints;
  });
  after(async () => {
    await cluster?.stop();
  });

  const run = (args: readonly string[], user?: string, input?: string): Promise<EtcdctlResult> =>
    etcdctl(user === undefined ? args : ['--user', user, ...args], { endpoints, input });

  async function ok(args: readonly string[], user?: string, input?: string): Promise<string> {
    const result = await run(args, user, input);
    assert.equal(result.code, 0, `etcdctl ${args.join(' ')} as ${user ?? 'nobody'} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** Runs etcdctl expecting a failure; returns its last stderr line. */
  async function fails(args: readonly string[], user?: string): Promise<string> {
    const result = await run(args, user);
    assert.notEqual(result.code, 0, `etcdctl ${args.join(' ')} as ${user ?? 'nobody'} succeeded: ${result.stdout}`);
    return result.stderr.trim().split('\n').at(-1) ?? '';
  }

  test('users and roles are created, granted and listed before auth is enabled', async () => {
    assert.equal(await ok(['user', 'add', root]), 'User root created\n');
    assert.equal(await ok(['user', 'add', alice]), 'User alice created\n');
    assert.equal(await ok(['user', 'add', bob]), 'User bob created\n');
    assert.match(await fails(['user', 'add', 'alice:again']), /etcdserver: user name already exists/);
    assert.equal(await ok(['role', 'add', 'app']), 'Role app created\n');
    assert.equal(await ok(['role', 'add', 'reader']), 'Role reader created\n');
    assert.match(await fails(['role', 'add', 'app']), /etcdserver: role name already exists/);
    // app: read-write on the app/ prefix; reader: read on the single key shared and on the range [r/a, r/m).
    await ok(['role', 'grant-permission', 'app', 'readwrite', 'app/', '--prefix']);
    await ok(['role', 'grant-permission', 'reader', 'read', 'shared']);
    await ok(['role', 'grant-permission', 'reader', 'read', 'r/a', 'r/m']);
    await ok(['role', 'grant-permission', 'reader', 'write', 'r/a', 'r/m']);
    await ok(['role', 'revoke-permission', 'reader', 'r/a', 'r/m']);
    await ok(['role', 'grant-permission', 'reader', 'read', 'r/a', 'r/m']);
    assert.match(await fails(['role', 'revoke-permission', 'reader', 'nothing']), /etcdserver: permission is not granted to the role/);
    assert.equal(await ok(['user', 'grant-role', 'alice', 'app']), 'Role app is granted to user alice\n');
    assert.equal(await ok(['user', 'grant-role', 'bob', 'reader']), 'Role reader is granted to user bob\n');
    assert.match(await fails(['user', 'grant-role', 'bob', 'missing']), /etcdserver: role name not found/);
    assert.match(await fails(['user', 'grant-role', 'nobody', 'app']), /etcdserver: user name not found/);
    assert.match(await fails(['user', 'revoke-role', 'bob', 'app']), /etcdserver: role is not granted to the user/);
    assert.equal(await ok(['user', 'list']), 'alice\nbob\nroot\n');
    assert.equal(await ok(['role', 'list']), 'app\nreader\n');
    assert.equal(await ok(['user', 'get', 'alice']), 'User: alice\nRoles: app\n');
    assert.equal(await ok(['role', 'get', 'reader']), 'Role reader\nKV Read:\n\t[r/a, r/m)\n\tshared\nKV Write:\n');
    assert.equal(await ok(['role', 'get', 'app']), 'Role app\nKV Read:\n\t[app/, app0) (prefix app/)\nKV Write:\n\t[app/, app0) (prefix app/)\n');
    await ok(['put', 'shared', 'v0']);
    await ok(['put', 'r/b', 'v0']);
  });

  test('auth enable needs the root user, then creates the root role; requests need credentials', async () => {
    assert.match(await fails(['user', 'delete', 'nobody']), /etcdserver: user name not found/);
    assert.equal(await ok(['auth', 'enable']), 'Authentication Enabled\n');
    assert.match(await fails(['get', 'shared']), /etcdserver: user name is empty/);
    assert.match(await fails(['put', 'shared', 'x']), /etcdserver: user name is empty/);
    assert.match(await fails(['get', 'shared'], 'alice:wrong'), /etcdserver: authentication failed, invalid user ID or password/);
    assert.match(await fails(['get', 'shared'], 'ghost:pw'), /etcdserver: authentication failed, invalid user ID or password/);
    // Refused writes leave nothing behind.
    assert.match(await fails(['put', 'refused-write', 'x'], 'alice:wrong'), /etcdserver: authentication failed, invalid user ID or password/);
    assert.equal(await ok(['get', 'refused-write', '--print-value-only'], root), '');
  });

  test('a user reads and writes inside its permissions and is denied outside them', async () => {
    assert.equal(await ok(['put', 'app/config', 'on'], alice), 'OK\n');
    assert.equal(await ok(['get', 'app/config'], alice), 'app/config\non\n');
    assert.equal(await ok(['get', 'app/', '--prefix', '--keys-only'], alice), 'app/config\n\n');
    assert.match(await fails(['get', 'shared'], alice), /etcdserver: permission denied/);
    assert.match(await fails(['put', 'other', 'x'], alice), /etcdserver: permission denied/);
    // A range needs the permission over all of it: app/ to the end of the key space is more than app/.
    assert.match(await fails(['get', 'app/', '--from-key'], alice), /etcdserver: permission denied/);
    assert.match(await fails(['del', 'app/', '--prefix', '--prev-kv'], bob), /etcdserver: permission denied/);
    assert.match(await fails(['user', 'list'], alice), /etcdserver: permission denied/);
    assert.equal(await ok(['user', 'get', 'alice'], alice), 'User: alice\nRoles: app\n');
  });

  test('root may do everything', async () => {
    assert.equal(await ok(['put', 'anywhere', 'r'], root), 'OK\n');
    assert.equal(await ok(['get', '', '--from-key', '--keys-only'], root), 'anywhere\n\napp/config\n\nr/b\n\nshared\n\n');
    assert.equal(await ok(['user', 'list'], root), 'alice\nbob\nroot\n');
    assert.match(await fails(['user', 'delete', 'root'], root), /etcdserver: invalid auth management/);
    assert.match(await fails(['role', 'delete', 'root'], root), /etcdserver: invalid auth management/);
  });

  test('permission matrix: 2 users x 3 ranges x read/write', async () => {
    const ranges: Array<{ name: string; read: string[]; write: string[] }> = [
      { name: 'prefix app/', read: ['get', 'app/', '--prefix'], write: ['put', 'app/m', 'v'] },
      { name: 'key shared', read: ['get', 'shared'], write: ['put', 'shared', 'v'] },
      { name: 'range [r/a, r/m)', read: ['get', 'r/a', 'r/m'], write: ['put', 'r/c', 'v'] },
    ];
    const outcomes: string[] = [];
    for (const user of [alice, bob]) {
      for (const range of ranges) {
        for (const [operation, args] of [['read', range.read], ['write', range.write]] as const) {
          const result = await run(args, user);
          const outcome = result.code === 0 ? 'ok' : (result.stderr.match(/etcdserver: [a-z ]+/)?.[0] ?? result.stderr.trim());
          outcomes.push(`${user.split(':')[0]} ${operation} ${range.name}: ${outcome}`);
        }
      }
    }
    assert.deepEqual(outcomes, [
      'alice read prefix app/: ok',
      'alice write prefix app/: ok',
      'alice read key shared: etcdserver: permission denied',
      'alice write key shared: etcdserver: permission denied',
      'alice read range [r/a, r/m): etcdserver: permission denied',
      'alice write range [r/a, r/m): etcdserver: permission denied',
      'bob read prefix app/: etcdserver: permission denied',
      'bob write prefix app/: etcdserver: permission denied',
      'bob read key shared: ok',
      'bob write key shared: etcdserver: permission denied',
      'bob read range [r/a, r/m): ok',
      'bob write range [r/a, r/m): etcdserver: permission denied',
    ]);
  });

  test('a revoked permission takes effect at once; a changed password replaces the old one', async () => {
    await ok(['role', 'revoke-permission', 'reader', 'shared'], root);
    assert.match(await fails(['get', 'shared'], bob), /etcdserver: permission denied/);
    assert.equal(await ok(['get', 'r/b', '--print-value-only'], bob), 'v0\n');
    assert.equal(await ok(['user', 'passwd', 'bob', '--interactive=false'], root, 'newbobpw\n'), 'Password updated\n');
    assert.match(await fails(['get', 'r/b'], bob), /etcdserver: authentication failed, invalid user ID or password/);
    assert.equal(await ok(['get', 'r/b', '--print-value-only'], 'bob:newbobpw'), 'v0\n');
  });

  test('a user created with --no-password cannot log in with any password (CN-based auth only)', async () => {
    assert.equal(await ok(['user', 'add', 'svc', '--no-password'], root), 'User svc created\n');
    assert.match(await ok(['user', 'get', 'svc'], root), /User: svc/);
    assert.equal(await fails(['get', 'a'], 'svc:anything'), 'Error: rpc error: code = Unknown desc = auth: authentication failed, password was given for no password user');
    // An empty password makes etcdctl send no credentials at all.
    assert.equal(await fails(['get', 'a'], 'svc:'), 'Error: etcdserver: user name is empty');
    assert.equal(await ok(['user', 'delete', 'svc'], root), 'User svc deleted\n');
  });

  test('auth disable needs root and opens the key space again', async () => {
    assert.match(await fails(['auth', 'disable'], alice), /etcdserver: permission denied/);
    assert.equal(await ok(['auth', 'disable'], root), 'Authentication Disabled\n');
    assert.equal(await ok(['get', 'shared', '--print-value-only']), 'v0\n');
    assert.equal(await ok(['put', 'shared', 'free']), 'OK\n');
  });
});
