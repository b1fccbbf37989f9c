// Auth across three members of the target (E2E_TARGET=cairn|etcd, default cairn), with https client URLs and
// --client-cert-auth: auth enabled through one member, a simple token minted through a second and used on a third;
// the client certificate's CN is the user on every member (and etcd's gateway refuses a CN it cannot pass on); a
// restarted member keeps users, roles and permissions and agrees on the auth revision. Certificates are made by
// the test. auth-lagging-member.test.ts covers a token used on a member that has not applied it yet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import type { MemberHandle } from '../support/processes.ts';
import { target, targetUnavailableReason } from './target.ts';
import { httpsRequest, waitHealthy, type ClientCredentials } from './tls-support.ts';
import { authenticate, createAuthCertificates, etcdctlFails, etcdctlOk, gateway, putWithToken, readWithToken, startThreeMembers } from './auth-support.ts';

const root = 'root:rootpw';

describe(`auth across three ${target} members with client certificates`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let members: MemberHandle[] = [];
  let urls: string[] = [];
  /** etcdctl's flags: the client certificate with CN "alice". */
  let tls: string[] = [];
  /** The gateway's client: a certificate without CN (etcd's gateway refuses one with a CN once auth is on). */
  let credentials: ClientCredentials;
  let aliceCredentials: ClientCredentials;

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-auth-cluster-${target}-`));
    trackTempDir(folder);
    const certificates = await createAuthCertificates(folder);
    credentials = { caFile: certificates.caFile, certificateFile: certificates.anonymous.certificateFile, keyFile: certificates.anonymous.keyFile };
    aliceCredentials = { caFile: certificates.caFile, certificateFile: certificates.alice.certificateFile, keyFile: certificates.alice.keyFile };
    tls = ['--cacert', certificates.caFile, '--cert', certificates.alice.certificateFile, '--key', certificates.alice.keyFile];
    const server = ['--cert-file', certificates.server.certificateFile, '--key-file', certificates.server.keyFile, '--trusted-ca-file', certificates.caFile, '--client-cert-auth'];
    members = await startThreeMembers(folder, 'auth', () => server, 'https');
    await Promise.all(members.map((member) => waitHealthy(member, credentials)));
    urls = members.map((member) => member.clientUrl);
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  const ok = (index: number, args: readonly string[], user?: string): Promise<string> => etcdctlOk(urls[index]!, args, user, tls);
  const fails = (index: number, args: readonly string[], user?: string): Promise<string> => etcdctlFails(urls[index]!, args, user, tls);

  test('auth enabled through one member; a token minted through a second works on the third', async () => {
    await ok(0, ['user', 'add', root]);
    await ok(0, ['user', 'add', 'alice:alicepw']);
    await ok(0, ['role', 'add', 'app']);
    await ok(0, ['role', 'grant-permission', 'app', 'readwrite', 'app/', '--prefix']);
    await ok(0, ['user', 'grant-role', 'alice', 'app']);
    assert.equal(await ok(0, ['auth', 'enable']), 'Authentication Enabled\n');
    const token = await authenticate(urls[1]!, 'root', 'rootpw', credentials);
    assert.equal(await putWithToken(urls[2]!, 'shared', 'from-third', token, credentials), 'OK');
    for (const url of urls) assert.equal(await readWithToken(url, 'shared', token, credentials), 'from-third');
    // The index of an applied entry with a prefix nobody was given: refused at once.
    const [, index] = token.split('.');
    assert.equal(await readWithToken(urls[2]!, 'shared', `abcdefghijklmnop.${index}`, credentials), 'error: etcdserver: invalid auth token');
  });

  test("the client certificate's CN is the user on every member; a token takes precedence over it", async () => {
    assert.equal(await ok(1, ['put', 'app/cn', 'by-certificate']), 'OK\n');
    assert.equal(await ok(2, ['get', 'app/cn', '--print-value-only']), 'by-certificate\n');
    assert.match(await fails(2, ['get', 'shared']), /etcdserver: permission denied/);
    assert.match(await fails(0, ['user', 'list']), /etcdserver: permission denied/);
    assert.equal(await ok(0, ['user', 'list'], root), 'alice\nroot\n');
    // The gateway cannot pass a CN on as the user: etcd refuses such requests once auth is enabled.
    const refused = await httpsRequest(`${urls[1]}/v3/kv/range`, aliceCredentials, 'POST', JSON.stringify({ key: 'YXBwL2Nu' }));
    assert.deepEqual(refused, { status: 400, body: 'CommonName of client sending a request against gateway will be ignored and not used as expected\n' });
  });

  test('a restarted member keeps users, roles and permissions, and every member has the same auth revision', async () => {
    await ok(2, ['role', 'grant-permission', 'app', 'read', 'shared'], root);
    const restarted = members[0]!;
    await restarted.stop();
    restarted.start();
    await waitHealthy(restarted, credentials);
    assert.equal(await ok(0, ['user', 'list'], root), 'alice\nroot\n');
    assert.equal(await ok(0, ['user', 'get', 'alice'], root), 'User: alice\nRoles: app\n');
    assert.equal(await ok(0, ['role', 'get', 'app'], root), 'Role app\nKV Read:\n\t[app/, app0) (prefix app/)\n\tshared\nKV Write:\n\t[app/, app0) (prefix app/)\n');
    assert.equal(await ok(0, ['get', 'shared', '--print-value-only']), 'from-third\n');
    assert.match(await fails(0, ['put', 'shared', 'x']), /etcdserver: permission denied/);
    const token = await authenticate(urls[0]!, 'root', 'rootpw', credentials);
    // etcd 3.4 has no AuthStatus (etcd 3.5 added it), so only Cairn's members can be asked for their revision.
    if (target === 'etcd') return;
    const revisions: string[] = [];
    for (const url of urls) {
      const answer = await gateway(url, 'auth/status', {}, token, credentials);
      assert.equal(answer.error, undefined);
      assert.equal(answer.body.enabled, true);
      revisions.push(String(answer.body.authRevision));
    }
    assert.equal(new Set(revisions).size, 1, `auth revisions differ: ${revisions.join(', ')}`);
    // One per change, as etcd counts: 2 users, role app, its grant, alice's role, etcdctl's root role and its
    // grant (auth enable adds them when missing), auth enable itself, and the grant on `shared`.
    assert.equal(revisions[0], '9');
  });
});
