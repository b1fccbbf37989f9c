// Shared by the TLS suites: starting a member of the target kind with https URLs and waiting for it over https
// (the usual readiness probe speaks plain http), and small https requests with chosen certificates.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CertificateFiles } from '../support/certificates.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { MemberHandle } from '../support/processes.ts';
import { serverEnvironment, sleep, target, targetCommand } from './target.ts';

/** Who a test client is: the CA it trusts and the certificate it presents (if any). */
export interface ClientCredentials {
  caFile?: string;
  certificateFile?: string;
  keyFile?: string;
  /** Accept any server certificate (etcdctl's --insecure-skip-tls-verify). */
  insecure?: boolean;
}

/** An HTTP answer. */
export interface HttpsAnswer {
  status: number;
  body: string;
}

/** One https request with `credentials`; rejects when the TLS handshake or the connection fails. */
export function httpsRequest(url: string, credentials: ClientCredentials, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method,
        agent: false,
        timeout: 3_000,
        ca: credentials.caFile === undefined ? undefined : readFileSync(credentials.caFile),
        cert: credentials.certificateFile === undefined ? undefined : readFileSync(credentials.certificateFile),
        key: credentials.keyFile === undefined ? undefined : readFileSync(credentials.keyFile),
        rejectUnauthorized: credentials.insecure !== true,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

/** Waits until `<clientUrl>/health` answers healthy over https with `credentials`; the error carries the log tail. */
export async function waitHealthy(member: MemberHandle, credentials: ClientCredentials, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no probe yet';
  while (Date.now() < deadline) {
    if (!member.running) break;
    try {
      const answer = await httpsRequest(`${member.clientUrl}/health`, credentials);
      if (answer.status === 200 && answer.body.includes('"health":"true"')) return;
      last = `HTTP ${answer.status} ${answer.body}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${target} member ${member.name} not healthy over https (last probe: ${last})\n${member.log.tail(30)}`);
}

/** A member's URLs and flags. */
export interface MemberUrls {
  name: string;
  clientUrl: string;
  peerUrl: string;
}

/** A started (not yet ready) member of the target kind with `flags` after the URL flags. */
export function spawnMember(urls: MemberUrls, initialCluster: string, dataRoot: string, flags: readonly string[]): MemberHandle {
  const dataDir = path.join(dataRoot, `${urls.name}.data`);
  const args = [
    '--name', urls.name, '--data-dir', dataDir,
    '--listen-client-urls', urls.clientUrl, '--advertise-client-urls', urls.clientUrl,
    '--listen-peer-urls', urls.peerUrl, '--initial-advertise-peer-urls', urls.peerUrl,
    '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `tls-${process.pid}`,
    ...flags,
  ];
  const command = targetCommand(args);
  const member = new MemberHandle({
    kind: target, name: urls.name, command: command.command, args: command.args, env: serverEnvironment(),
    clientUrl: urls.clientUrl, peerUrl: urls.peerUrl, dataDir,
  });
  member.start();
  return member;
}

/** The URLs of `count` members named `<prefix>1..n`: plain client URLs and https peer URLs on free 127.0.0.1 ports. */
export async function peerTlsClusterUrls(prefix: string, count: number): Promise<{ urls: MemberUrls[]; initialCluster: string }> {
  const ports = await freePorts(count * 2);
  const urls = Array.from({ length: count }, (_, index) => ({
    name: `${prefix}${index + 1}`,
    clientUrl: `http://${loopbackHost}:${ports[index * 2]}`,
    peerUrl: `https://${loopbackHost}:${ports[index * 2 + 1]}`,
  }));
  return { urls, initialCluster: urls.map((member) => `${member.name}=${member.peerUrl}`).join(',') };
}

/** The peer TLS flags of a member presenting `certificate`, trusting `caFile` and requiring peer certificates. */
export function peerTlsFlags(certificate: CertificateFiles, caFile: string, extra: readonly string[] = []): string[] {
  return [
    '--peer-cert-file', certificate.certificateFile, '--peer-key-file', certificate.keyFile,
    '--peer-trusted-ca-file', caFile, '--peer-client-cert-auth', ...extra,
  ];
}

/** Waits until some line of `member`'s log matches `pattern`; the error carries the log tail. */
export async function waitForLogLine(member: MemberHandle, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = member.log.text().split('\n').find((text) => pattern.test(text));
    if (line !== undefined) return line;
    await sleep(100);
  }
  throw new Error(`${member.name} never logged ${pattern}\n${member.log.tail(30)}`);
}
