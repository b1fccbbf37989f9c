// Asks a member over its client URL whether it serves: GET /health answers {"health":"true"} once the member
// has a leader, as etcd's does. The member id comes from the JSON gateway's Maintenance.Status, part of etcd's
// public API, so the supervisor needs neither gRPC nor the engine's log format for it. With TLS the probes go
// over https, verifying the member against the local CA and presenting Cairn's client certificate (the members
// then require one).
import http from 'node:http';
import https from 'node:https';
import type { ClientTlsMaterial } from './member-tls.ts';

/** How long one probe may take, in milliseconds. */
export const probeTimeoutMs = 1_000;

/** The result of a /health probe. */
export interface HealthResult {
  healthy: boolean;
  /** What the member said (or why it could not be asked), for logs and the UI. */
  detail: string;
}

/** Sends one JSON request to a member's client URL (https with `tls`); resolves with the status and body text. */
export function memberRequest(url: string, method: 'GET' | 'POST', body?: string, tls?: ClientTlsMaterial, timeoutMs = probeTimeoutMs): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { method, timeout: timeoutMs, headers: body ? { 'content-type': 'application/json' } : {}, agent: false };
    const secure = url.startsWith('https:');
    if (secure && tls) Object.assign(options, { ca: tls.caPem, cert: tls.certPem, key: tls.keyPem });
    const onResponse = (response: http.IncomingMessage): void => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (text.length < 64 * 1024) text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    };
    const outgoing = secure ? https.request(url, options, onResponse) : http.request(url, options, onResponse);
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** GETs `<clientUrl>/health` once. */
export async function probeHealth(clientUrl: string, tls?: ClientTlsMaterial): Promise<HealthResult> {
  try {
    const { status, text } = await memberRequest(`${clientUrl}/health`, 'GET', undefined, tls);
    let healthy = false;
    try {
      healthy = status === 200 && (JSON.parse(text) as { health?: unknown }).health === 'true';
    } catch {
      healthy = false;
    }
    return { healthy, detail: `HTTP ${status}: ${text.trim().slice(0, 200)}` };
  } catch (error) {
    return { healthy: false, detail: (error as Error).message };
  }
}

/** The member id (decimal string) the member reports, or undefined when it cannot be asked. */
export async function probeMemberId(clientUrl: string, tls?: ClientTlsMaterial): Promise<string | undefined> {
  try {
    const { status, text } = await memberRequest(`${clientUrl}/v3/maintenance/status`, 'POST', '{}', tls);
    if (status !== 200) return undefined;
    const id = (JSON.parse(text) as { header?: { member_id?: unknown } }).header?.member_id;
    return typeof id === 'string' && /^[0-9]+$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
