// JWT auth tokens (--auth-token jwt,...) on three members of the target (E2E_TARGET=cairn|etcd, default cairn):
// two members hold the RS256 key pair, the third only the public key. etcdctl works with --user; a token minted by
// one member is a JWT carrying the user and auth revision and is accepted by every member, the verify-only one
// included, which cannot mint tokens itself; tampered, foreign-key, stale (older auth revision) and expired tokens
// are refused with etcd's errors; unusable options stop the start. The keys are made by the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import type { MemberHandle } from '../support/processes.ts';
import { runTargetCommand, sleep, target, targetUnavailableReason } from './target.ts';
import { authenticate, etcdctlFails, etcdctlOk, gateway, putWithToken, readWithToken, startThreeMembers } from './auth-support.ts';

const root = 'root:rootpw';
const alice = 'alice:alicepw';
const ttlSeconds = 4;

/** The claims of a JWT. */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

describe(`JWT auth tokens on three ${target} members`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let publicKeyFile: string;
  let privateKeyFile: string;
  let members: MemberHandle[] = [];
  let urls: string[] = [];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-jwt-${target}-`));
    trackTempDir(folder);
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKeyFile = path.join(folder, 'jwt.pub.pem');
    privateKeyFile = path.join(folder, 'jwt.pem');
    await writeFile(publicKeyFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(privateKeyFile, pair.privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    const signing = `jwt,pub-key=${publicKeyFile},priv-key=${privateKeyFile},sign-method=RS256,ttl=${ttlSeconds}s`;
    const verifyOnly = `jwt,pub-key=${publicKeyFile},sign-method=RS256,ttl=${ttlSeconds}s`;
    members = await startThreeMembers(folder, 'jwt', (index) => ['--auth-token', index === 2 ? verifyOnly : signing]);
    await Promise.all(members.map((member) => member.waitReady()));
    urls = members.map((member) => member.clientUrl);
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  test('etcdctl sets up users and enables auth; --user then works through a signing member', async () => {
    await etcdctlOk(urls[0]!, ['user', 'add', root]);
    await etcdctlOk(urls[0]!, ['user', 'add', alice]);
    await etcdctlOk(urls[0]!, ['role', 'add', 'app']);
    await etcdctlOk(urls[0]!, ['role', 'grant-permission', 'app', 'readwrite', 'app/', '--prefix']);
    await etcdctlOk(urls[0]!, ['user', 'grant-role', 'alice', 'app']);
    assert.equal(await etcdctlOk(urls[0]!, ['auth', 'enable']), 'Authentication Enabled\n');
    assert.equal(await etcdctlOk(urls[1]!, ['put', 'app/one', '1'], alice), 'OK\n');
    assert.equal(await etcdctlOk(urls[0]!, ['get', 'app/one', '--print-value-only'], alice), '1\n');
    assert.match(await etcdctlFails(urls[1]!, ['put', 'elsewhere', 'x'], alice), /etcdserver: permission denied/);
  });

  test('a token minted by one member carries the user and auth revision and works on every member, verify-only included', async () => {
    const token = await authenticate(urls[0]!, 'alice', 'alicepw');
    const claims = claimsOf(token);
    assert.equal(claims.username, 'alice');
    // etcd 3.4 has no AuthStatus to read the revision from; the stale-token test checks how it moves.
    assert.ok(Number.isInteger(claims.revision) && (claims.revision as number) > 0, `revision claim ${String(claims.revision)}`);
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg, 'RS256');
    const lifetime = (claims.exp as number) - Math.floor(Date.now() / 1000);
    assert.ok(lifetime > 0 && lifetime <= ttlSeconds, `exp is ${lifetime} s ahead, expected at most ${ttlSeconds}`);
    assert.equal(await putWithToken(urls[2]!, 'app/two', '2', token), 'OK');
    for (const url of urls) assert.equal(await readWithToken(url, 'app/two', token), '2');
    assert.equal(await readWithToken(urls[2]!, 'elsewhere', token), 'error: etcdserver: permission denied');
  });

  test('the member holding only the public key cannot mint tokens', async () => {
    const answer = await gateway(urls[2]!, 'auth/authenticate', { name: 'alice', password: 'alicepw' });
    assert.equal(answer.error, 'auth: token signing attempted with verify-only key');
    assert.match(await etcdctlFails(urls[2]!, ['get', 'app/one'], alice), /auth: token signing attempted with verify-only key/);
    // A wrong password is still a wrong password there.
    const wrong = await gateway(urls[2]!, 'auth/authenticate', { name: 'alice', password: 'nope' });
    assert.equal(wrong.error, 'etcdserver: authentication failed, invalid user ID or password');
  });

  test('tampered tokens and tokens signed with another key are refused', async () => {
    const token = await authenticate(urls[0]!, 'alice', 'alicepw');
    const [header, , signature] = token.split('.');
    const asRoot = Buffer.from(JSON.stringify({ ...claimsOf(token), username: 'root' })).toString('base64url');
    assert.equal(await readWithToken(urls[1]!, 'app/one', `${header}.${asRoot}.${signature}`), 'error: etcdserver: invalid auth token');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${header}.${Buffer.from(JSON.stringify(claimsOf(token))).toString('base64url')}`;
    const foreign = `${input}.${createSign('sha256').update(input).sign(other.privateKey).toString('base64url')}`;
    assert.equal(await readWithToken(urls[2]!, 'app/one', foreign), 'error: etcdserver: invalid auth token');
    assert.equal(await readWithToken(urls[0]!, 'app/one', 'not-a-jwt'), 'error: etcdserver: invalid auth token');
  });

  test('a token minted before an auth change is stale everywhere; a new one works', async () => {
    const token = await authenticate(urls[1]!, 'alice', 'alicepw');
    await etcdctlOk(urls[0]!, ['role', 'grant-permission', 'app', 'read', 'shared'], root);
    for (const url of urls) assert.equal(await readWithToken(url, 'app/one', token), 'error: etcdserver: revision of auth store is old');
    const fresh = await authenticate(urls[0]!, 'alice', 'alicepw');
    assert.equal(claimsOf(fresh).revision, (claimsOf(token).revision as number) + 1, 'one grant, one auth revision');
    assert.equal(await readWithToken(urls[2]!, 'app/one', fresh), '1');
  });

  test('a token expires after the ttl', async () => {
    const token = await authenticate(urls[0]!, 'alice', 'alicepw');
    assert.equal(await readWithToken(urls[1]!, 'app/one', token), '1');
    const expiresMs = (claimsOf(token).exp as number) * 1000;
    // Valid through the second of its exp claim, as golang-jwt checks it.
    await sleep(Math.max(0, expiresMs + 1_200 - Date.now()));
    for (const url of urls) assert.equal(await readWithToken(url, 'app/one', token), 'error: etcdserver: invalid auth token');
  });

  test('unusable JWT options stop the start with etcd\'s errors', async () => {
    const cases: Array<[string, RegExp]> = [
      ['jwt', /auth: invalid auth options/],
      ['jwt,sign-method=RS256', /auth: missing key data/],
      [`jwt,sign-method=RS256,priv-key=${path.join(folder, 'missing.pem')}`, /auth: invalid auth options/],
    ];
    for (const [option, expected] of cases) {
      const [client, peer] = await freePorts(2);
      const clientUrl = `http://${loopbackHost}:${client}`;
      const peerUrl = `http://${loopbackHost}:${peer}`;
      const result = await runTargetCommand([
        '--name', 'bad', '--data-dir', path.join(folder, `bad-${client}`),
        '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `bad=${peerUrl}`,
        '--auth-token', option,
      ]);
      assert.notEqual(result.code, 0, `started with --auth-token ${option}`);
      assert.match(result.stderr, expected, `--auth-token ${option}`);
    }
  });
});
