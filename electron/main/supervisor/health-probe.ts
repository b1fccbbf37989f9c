// Asks a member over its client URL whether it serves: GET /health answers {"health":"true"} once the member
// has a leader, as etcd's does. The member id comes from the JSON gateway's Maintenance.Status, part of etcd's
// public API, so the supervisor needs neither gRPC nor the engine's log format for it.
import http from 'node:http';

/** How long one probe may take, in milliseconds. */
export const probeTimeoutMs = 1_000;

/** The result of a /health probe. */
export interface HealthResult {
  healthy: boolean;
  /** What the member said (or why it could not be asked), for logs and the UI. */
  detail: string;
}

function request(url: string, method: 'GET' | 'POST', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, timeout: probeTimeoutMs, headers: body ? { 'content-type': 'application/json' } : {} }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (text.length < 64 * 1024) text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${probeTimeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** GETs `<clientUrl>/health` once. */
export async function probeHealth(clientUrl: string): Promise<HealthResult> {
  try {
    const { status, text } = await request(`${clientUrl}/health`, 'GET');
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
export async function probeMemberId(clientUrl: string): Promise<string | undefined> {
  try {
    const { status, text } = await request(`${clientUrl}/v3/maintenance/status`, 'POST', '{}');
    if (status !== 200) return undefined;
    const id = (JSON.parse(text) as { header?: { member_id?: unknown } }).header?.member_id;
    return typeof id === 'string' && /^[0-9]+$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
