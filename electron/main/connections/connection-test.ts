// "Test connection": each endpoint is tried step by step (DNS, TCP, TLS, then etcd over gRPC, then auth), so the
// failure can be named precisely ("nothing listens there", "certificate expired", "wrong password") instead of
// grpc-js's one generic UNAVAILABLE. All endpoints are tried at once; the test passes when every one answers.
import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { ConnectionFailure, ConnectionTestReport } from '../../common/contract.ts';
import { EtcdConnection, type ConnectionSettings } from '../etcd/etcd-connection.ts';
import { isServiceError } from '../etcd/etcd-error.ts';
import { parseEndpoint, type Endpoint } from '../etcd/endpoint.ts';
import { classifyDnsError, classifyGrpcError, classifyTcpError, classifyTlsError } from './failure-classifier.ts';

/** How long each step of a test may take, in milliseconds. */
export const testStepTimeoutMs = 5_000;

type EndpointOutcome = { ok: true; report: Extract<ConnectionTestReport, { ok: true }> } | { ok: false; failure: ConnectionFailure };

/** Tests every endpoint of `settings`. */
export async function testConnection(settings: ConnectionSettings, timeoutMs = testStepTimeoutMs): Promise<ConnectionTestReport> {
  const outcomes = await Promise.all(settings.endpoints.map((text) => testEndpoint(text, settings, timeoutMs)));
  const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.failure]));
  if (failures.length > 0) return { ok: false, failures };
  return outcomes[0]!.ok ? outcomes[0]!.report : { ok: false, failures };
}

async function testEndpoint(text: string, settings: ConnectionSettings, timeoutMs: number): Promise<EndpointOutcome> {
  const endpoint = parseEndpoint(text, Boolean(settings.tls));
  if (typeof endpoint === 'string') {
    return { ok: false, failure: { kind: 'invalid-endpoint', endpoint: text, message: endpoint, hint: 'Write host:port, http://host:port or https://host:port.', detail: endpoint } };
  }
  const label = endpoint.target;
  if (net.isIP(endpoint.host) === 0) {
    try {
      await withTimeout(dns.lookup(endpoint.host), timeoutMs, 'ETIMEOUT');
    } catch (error) {
      return { ok: false, failure: classifyDnsError(error, label, endpoint.host) };
    }
  }
  try {
    await tcpConnect(endpoint, timeoutMs);
  } catch (error) {
    return { ok: false, failure: classifyTcpError(error, label, timeoutMs) };
  }
  if (endpoint.secure) {
    try {
      await tlsHandshake(endpoint, settings, timeoutMs);
    } catch (error) {
      return { ok: false, failure: classifyTlsError(error, label) };
    }
  }
  return etcdCheck(endpoint, settings, timeoutMs);
}

async function etcdCheck(endpoint: Endpoint, settings: ConnectionSettings, timeoutMs: number): Promise<EndpointOutcome> {
  const label = endpoint.target;
  const connection = new EtcdConnection({ ...settings, endpoints: [endpoint.text] });
  const started = Date.now();
  try {
    let status;
    try {
      status = await connection.call('read', (s) => s.maintenance.status.bind(s.maintenance), {}, { deadlineMs: timeoutMs, waitForReconnect: false });
    } catch (error) {
      if (!endpoint.secure && (await speaksTls(endpoint, timeoutMs))) {
        return { ok: false, failure: { kind: 'tls-required', endpoint: label, message: `${label} requires TLS.`, hint: 'Use https:// for this endpoint and set the CA certificate.', detail: isServiceError(error) ? error.details : String(error) } };
      }
      return { ok: false, failure: classifyGrpcError(error, label, 'grpc', timeoutMs) };
    }
    const latencyMs = Date.now() - started;
    try {
      // Status needs no permission; a one-key read shows whether the cluster wants credentials we lack. It is
      // serializable: permissions apply the same, and it does not fail while the cluster is between leaders.
      await connection.call('read', (s) => s.kv.range.bind(s.kv), { key: connection.scope.key(new Uint8Array([0])), limit: 1, keys_only: true, serializable: true }, { deadlineMs: timeoutMs, waitForReconnect: false });
    } catch (error) {
      if (!(isServiceError(error) && error.code === 7 && settings.username)) return { ok: false, failure: classifyGrpcError(error, label, 'auth', timeoutMs) };
    }
    let authEnabled: boolean | null = null;
    try {
      authEnabled = (await connection.call('read', (s) => s.auth.authStatus.bind(s.auth), {}, { deadlineMs: timeoutMs, waitForReconnect: false })).enabled;
    } catch {
      // Servers without the Auth service (or users without the right to ask) simply do not say.
      authEnabled = null;
    }
    const members = await connection.call('read', (s) => s.cluster.memberList.bind(s.cluster), { linearizable: false }, { deadlineMs: timeoutMs, waitForReconnect: false });
    return {
      ok: true,
      report: {
        ok: true, endpoint: label, latencyMs, version: status.version, clusterId: status.header?.cluster_id ?? '0',
        memberId: status.header?.member_id ?? '0', leaderId: status.leader, memberCount: members.members.length, authEnabled,
      },
    };
  } catch (error) {
    return { ok: false, failure: classifyGrpcError(error, label, 'grpc', timeoutMs) };
  } finally {
    connection.close();
  }
}

function tcpConnect(endpoint: Endpoint, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function tlsHandshake(endpoint: Endpoint, settings: ConnectionSettings, timeoutMs: number): Promise<void> {
  const tlsSettings = settings.tls ?? {};
  const serverName = tlsSettings.serverName ?? (net.isIP(endpoint.host) === 0 ? endpoint.host : undefined);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: endpoint.host,
      port: endpoint.port,
      servername: serverName,
      ca: tlsSettings.caPem,
      cert: tlsSettings.certPem,
      key: tlsSettings.keyPem,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: !tlsSettings.insecureSkipVerify,
      checkServerIdentity: (host, certificate) => tls.checkServerIdentity(tlsSettings.serverName ?? host, certificate),
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`the TLS handshake did not finish within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    socket.once('secureConnect', () => {
      // TLS 1.3 servers ask for a client certificate after the handshake; wait a moment for a refusal alert.
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 50);
    });
    socket.once('error', reject);
  });
}

/** True when the endpoint completes a TLS handshake (so a plain-text client was talking to a TLS server). */
async function speaksTls(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  try {
    await tlsHandshake(endpoint, { endpoints: [], tls: { insecureSkipVerify: true } }, Math.min(timeoutMs, 2_000));
    return true;
  } catch (error) {
    return /certificate|alert/i.test((error as Error).message);
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, code: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code })), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
