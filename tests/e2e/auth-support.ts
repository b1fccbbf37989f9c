// Shared by the multi-member auth suites: a three-member cluster of the target kind with per-member flags, etcdctl
// runs that must succeed or fail, and the JSON gateway's Authenticate and KV calls with a token of our choosing
// (etcdctl always authenticates against the member it talks to, so a token minted by one member and used on
// another needs the gateway).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createAuthority, writeCertificate, type CertificateFiles } from '../support/certificates.ts';
import { etcdctl, type EtcdctlResult } from '../support/etcdctl.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import type { MemberHandle } from '../support/processes.ts';
import { fromBase64, toBase64 } from './target.ts';
import { httpsRequest, spawnMember, type ClientCredentials } from './tls-support.ts';

/** Starts three members (http client URLs unless `clientScheme` says https); `flags(i)` are member i's own flags. */
export async function startThreeMembers(folder: string, prefix: string, flags: (index: number) => string[], clientScheme: 'http' | 'https' = 'http'): Promise<MemberHandle[]> {
  const ports = await freePorts(6);
  const urls = [0, 1, 2].map((index) => ({
    name: `${prefix}${index + 1}`,
    clientUrl: `${clientScheme}://${loopbackHost}:${ports[index * 2]}`,
    peerUrl: `http://${loopbackHost}:${ports[index * 2 + 1]}`,
  }));
  const initialCluster = urls.map((member) => `${member.name}=${member.peerUrl}`).join(',');
  return urls.map((member, index) => spawnMember(member, initialCluster, path.join(folder, prefix), flags(index)));
}

/** etcdctl against `endpoint` as `user` (name:password, or none); fails the test unless it exits 0. */
export async function etcdctlOk(endpoint: string, args: readonly string[], user?: string, extra: readonly string[] = []): Promise<string> {
  const result = await etcdctl([...extra, ...(user === undefined ? [] : ['--user', user]), ...args], { endpoints: endpoint });
  assert.equal(result.code, 0, `etcdctl ${args.join(' ')} as ${user ?? 'nobody'} on ${endpoint} failed: ${result.stderr}`);
  return result.stdout;
}

/** etcdctl expected to fail; returns its last stderr line. */
export async function etcdctlFails(endpoint: string, args: readonly string[], user?: string, extra: readonly string[] = []): Promise<string> {
  const result: EtcdctlResult = await etcdctl([...extra, ...(user === undefined ? [] : ['--user', user]), ...args], { endpoints: endpoint });
  assert.notEqual(result.code, 0, `etcdctl ${args.join(' ')} as ${user ?? 'nobody'} on ${endpoint} succeeded: ${result.stdout}`);
  return result.stderr.trim().split('\n').at(-1) ?? '';
}

/** A gateway answer: the parsed body and grpc-gateway's error text when there is one. */
export interface GatewayAnswer {
  status: number;
  body: Record<string, unknown>;
  error: string | undefined;
}

/**
 * POSTs `body` as JSON to `<clientUrl>/v3/<route>`, with `token` in the Authorization header when given; https
 * client URLs are called with `credentials`.
 */
export async function gateway(clientUrl: string, route: string, body: object, token?: string, credentials: ClientCredentials = {}): Promise<GatewayAnswer> {
  const url = `${clientUrl}/v3/${route}`;
  const headers: Record<string, string> = token === undefined ? {} : { authorization: token };
  let status: number;
  let text: string;
  if (url.startsWith('https:')) {
    ({ status, body: text } = await httpsRequest(url, credentials, 'POST', JSON.stringify(body), headers));
  } else {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    status = response.status;
    text = await response.text();
  }
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return { status, body: parsed, error: typeof parsed.error === 'string' ? parsed.error : undefined };
}

/** Authenticate through the gateway of `clientUrl`; returns the token (fails the test otherwise). */
export async function authenticate(clientUrl: string, name: string, password: string, credentials?: ClientCredentials): Promise<string> {
  const answer = await gateway(clientUrl, 'auth/authenticate', { name, password }, undefined, credentials);
  assert.equal(answer.error, undefined, `authenticate ${name} on ${clientUrl}: ${answer.error}`);
  return answer.body.token as string;
}

/** The value of `key` read through the gateway with `token`, or the error text. */
export async function readWithToken(clientUrl: string, key: string, token: string, credentials?: ClientCredentials, serializable = false): Promise<string> {
  const answer = await gateway(clientUrl, 'kv/range', { key: toBase64(key), serializable }, token, credentials);
  if (answer.error !== undefined) return `error: ${answer.error}`;
  const kvs = (answer.body.kvs ?? []) as Array<{ value?: string }>;
  return kvs.length === 0 ? '(none)' : fromBase64(kvs[0]!.value);
}

/** Puts `key` through the gateway with `token`; returns 'OK' or the error text. */
export async function putWithToken(clientUrl: string, key: string, value: string, token: string, credentials?: ClientCredentials): Promise<string> {
  const answer = await gateway(clientUrl, 'kv/put', { key: toBase64(key), value: toBase64(value) }, token, credentials);
  return answer.error === undefined ? 'OK' : `error: ${answer.error}`;
}

/** The certificates of the client-certificate suites, written to a folder. */
export interface AuthCertificates {
  caFile: string;
  /** Server certificate for 127.0.0.1 and localhost. */
  server: CertificateFiles;
  /** Client certificate with CN "alice". */
  alice: CertificateFiles;
  /** Client certificate with an empty CN: etcd's gateway refuses certificates with a CN once auth is enabled. */
  anonymous: CertificateFiles;
}

/** Makes a CA and the certificates of AuthCertificates in `folder`. */
export async function createAuthCertificates(folder: string): Promise<AuthCertificates> {
  const authority = await createAuthority('cairn-auth-ca');
  const caFile = path.join(folder, 'auth-ca.pem');
  await writeFile(caFile, authority.certificate);
  return {
    caFile,
    server: await writeCertificate(folder, 'auth-server', await authority.sign({ commonName: 'cairn-server', ips: ['127.0.0.1'], dnsNames: ['localhost'] })),
    alice: await writeCertificate(folder, 'auth-alice', await authority.sign({ commonName: 'alice' })),
    anonymous: await writeCertificate(folder, 'auth-anonymous', await authority.sign({ commonName: '' })),
  };
}
