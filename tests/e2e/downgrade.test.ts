// Maintenance.Downgrade (etcd 3.5's API) over gRPC on a 3-member cluster: VALIDATE, ENABLE through one member
// seen by the others, the job surviving a restart of every member, CANCEL, etcd 3.5's errors, and the root-only
// rule once auth is enabled. etcdctl 3.4 has no downgrade command, so the test calls the RPC itself. Against
// E2E_TARGET=etcd (3.4, which predates the RPC) it proves only that 3.4 answers Unimplemented.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { etcdGrpcObject } from '../../engine/proto/load.ts';
import type { ProtoGrpcType } from '../../engine/proto/generated/rpc.ts';
import type { DowngradeResponse__Output } from '../../engine/proto/generated/etcdserverpb/DowngradeResponse.ts';
import { etcdctl } from '../support/etcdctl.ts';
import { MemberHandle } from '../support/member.ts';
import { trackTempDir } from '../support/child-cleanup.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { serverEnvironment, target, targetCommand, targetUnavailableReason } from './target.ts';

type Action = 0 | 1 | 2;
const validate: Action = 0;
const enable: Action = 1;
const cancel: Action = 2;

const baseDir = await mkdtemp(path.join(os.tmpdir(), `cairn-downgrade-${target}-`));
trackTempDir(baseDir);
const members: MemberHandle[] = [];
after(async () => {
  for (const handle of members) await handle.kill('SIGKILL').catch(() => undefined);
});

async function startCluster(): Promise<MemberHandle[]> {
  const ports = await freePorts(6);
  const names = ['d1', 'd2', 'd3'];
  const initialCluster = names.map((name, index) => `${name}=http://${loopbackHost}:${ports[index * 2 + 1]}`).join(',');
  for (const [index, name] of names.entries()) {
    const clientUrl = `http://${loopbackHost}:${ports[index * 2]}`;
    const peerUrl = `http://${loopbackHost}:${ports[index * 2 + 1]}`;
    const dataDir = path.join(baseDir, name);
    const { command, args } = targetCommand([
      '--name', name, '--data-dir', dataDir,
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `downgrade-${process.pid}`,
    ]);
    members.push(new MemberHandle({ kind: target, name, command, args, env: serverEnvironment(), clientUrl, peerUrl, dataDir }));
  }
  for (const handle of members) handle.start();
  await Promise.all(members.map((handle) => handle.waitReady()));
  return members;
}

/** One Downgrade call to `endpoint`, with an auth token when given; resolves with the response or the gRPC error. */
function callDowngrade(endpoint: string, action: Action, version: string, token?: string): Promise<DowngradeResponse__Output | grpc.ServiceError> {
  const api = (etcdGrpcObject() as unknown as ProtoGrpcType).etcdserverpb;
  const client = new api.Maintenance(endpoint, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('token', token);
  return new Promise((resolve) => {
    client.downgrade({ action, version }, metadata, { deadline: Date.now() + 10_000 }, (error, response) => {
      client.close();
      resolve(error ?? response!);
    });
  });
}

/** A root token from Auth.Authenticate. */
function authenticate(endpoint: string, name: string, password: string): Promise<string> {
  const api = (etcdGrpcObject() as unknown as ProtoGrpcType).etcdserverpb;
  const client = new api.Auth(endpoint, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.authenticate({ name, password }, { deadline: Date.now() + 10_000 }, (error, response) => {
      client.close();
      if (error) reject(error);
      else resolve(response!.token);
    });
  });
}

function assertVersion(answer: DowngradeResponse__Output | grpc.ServiceError, what: string): void {
  assert.ok(!(answer instanceof Error), `${what}: ${answer instanceof Error ? answer.message : ''}`);
  assert.equal(answer.version, '3.5.0', what);
  assert.notEqual(answer.header?.member_id, '0', `${what}: the response carries the member's header`);
}

function assertError(answer: DowngradeResponse__Output | grpc.ServiceError, code: grpc.status, message: string, what: string): void {
  assert.ok(answer instanceof Error, `${what}: expected ${message}, got a response`);
  assert.equal(answer.code, code, `${what}: ${answer.details}`);
  assert.equal(answer.details, message, what);
}

async function ctl(endpoint: string, ...args: string[]): Promise<void> {
  const result = await etcdctl(args, { endpoints: endpoint, timeoutMs: 20_000 });
  assert.equal(result.code, 0, `etcdctl ${args.join(' ')}: ${result.stderr}`);
}

test(`Maintenance.Downgrade on a 3-member ${target} cluster`, { timeout: 180_000 }, async (t) => {
  const unavailable = targetUnavailableReason();
  assert.equal(unavailable, undefined, unavailable);
  const [first, second, third] = await startCluster();
  const endpoints = [first!.endpoint, second!.endpoint, third!.endpoint];

  if (target === 'etcd') {
    assertError(await callDowngrade(endpoints[0]!, validate, '3.3'), grpc.status.UNIMPLEMENTED, 'unknown method Downgrade for service etcdserverpb.Maintenance', 'etcd 3.4');
    return;
  }

  await t.test('VALIDATE accepts one minor below the cluster version and refuses others with etcd 3.5\'s errors', async () => {
    assertVersion(await callDowngrade(endpoints[0]!, validate, '3.4'), 'VALIDATE 3.4');
    assertVersion(await callDowngrade(endpoints[1]!, validate, '3.4.23'), 'VALIDATE 3.4.23');
    assertError(await callDowngrade(endpoints[0]!, validate, '3.3'), grpc.status.INVALID_ARGUMENT, 'etcdserver: invalid downgrade target version', '3.3');
    assertError(await callDowngrade(endpoints[0]!, validate, '3.5'), grpc.status.INVALID_ARGUMENT, 'etcdserver: invalid downgrade target version', '3.5');
    assertError(await callDowngrade(endpoints[0]!, validate, 'v3.4'), grpc.status.INVALID_ARGUMENT, 'etcdserver: wrong downgrade target version format', 'v3.4');
    assertError(await callDowngrade(endpoints[0]!, cancel, ''), grpc.status.FAILED_PRECONDITION, 'etcdserver: no inflight downgrade job', 'CANCEL before ENABLE');
    // The JSON gateway route of etcd 3.5's rpc.proto answers the same.
    const viaGateway = await fetch(`http://${endpoints[2]!}/v3/maintenance/downgrade`, { method: 'POST', body: JSON.stringify({ action: 'VALIDATE', version: '3.4' }) });
    assert.equal(viaGateway.status, 200);
    assert.equal(((await viaGateway.json()) as { version?: string }).version, '3.5.0');
  });

  await t.test('ENABLE through one member is seen by every member', async () => {
    assertVersion(await callDowngrade(endpoints[1]!, enable, '3.4'), 'ENABLE');
    for (const endpoint of endpoints) {
      assertError(await callDowngrade(endpoint, validate, '3.4'), grpc.status.FAILED_PRECONDITION, 'etcdserver: cluster has a downgrade job in progress', `VALIDATE on ${endpoint}`);
    }
    assertError(await callDowngrade(endpoints[2]!, enable, '3.4'), grpc.status.FAILED_PRECONDITION, 'etcdserver: cluster has a downgrade job in progress', 'second ENABLE');
  });

  await t.test('the job survives a restart of every member, and CANCEL through another member clears it', async () => {
    for (const handle of members) await handle.stop();
    for (const handle of members) handle.start();
    await Promise.all(members.map((handle) => handle.waitReady()));
    assertError(await callDowngrade(endpoints[0]!, validate, '3.4'), grpc.status.FAILED_PRECONDITION, 'etcdserver: cluster has a downgrade job in progress', 'after restart');
    assertVersion(await callDowngrade(endpoints[2]!, cancel, ''), 'CANCEL');
    for (const endpoint of endpoints) assertVersion(await callDowngrade(endpoint, validate, '3.4'), `VALIDATE on ${endpoint} after CANCEL`);
    assertError(await callDowngrade(endpoints[0]!, cancel, ''), grpc.status.FAILED_PRECONDITION, 'etcdserver: no inflight downgrade job', 'second CANCEL');
  });

  await t.test('with auth enabled only root may downgrade', async () => {
    await ctl(endpoints[0]!, 'user', 'add', 'root:rootpw');
    await ctl(endpoints[0]!, 'user', 'add', 'alice:alicepw');
    await ctl(endpoints[0]!, 'auth', 'enable');
    assertError(await callDowngrade(endpoints[1]!, validate, '3.4'), grpc.status.INVALID_ARGUMENT, 'etcdserver: user name is empty', 'no token');
    const alice = await authenticate(endpoints[1]!, 'alice', 'alicepw');
    assertError(await callDowngrade(endpoints[1]!, enable, '3.4', alice), grpc.status.PERMISSION_DENIED, 'etcdserver: permission denied', 'alice');
    const root = await authenticate(endpoints[1]!, 'root', 'rootpw');
    assertVersion(await callDowngrade(endpoints[1]!, enable, '3.4', root), 'root ENABLE');
    assertVersion(await callDowngrade(endpoints[2]!, cancel, '', root), 'root CANCEL');
  });
});
