// Decides when a started member can serve: its `/health` endpoint answers {"health":"true"} (etcd reports that
// only once the cluster has a leader) and a gRPC Maintenance.Status call succeeds on the same port. Polling both
// proves that the HTTP side and the gRPC side of the shared client port are up.
import http from 'node:http';
import { connect } from './grpc-client.ts';

/** Time between readiness probes, in milliseconds. */
export const readinessPollMs = 50;

/** Time one probe may take before it counts as a failure, in milliseconds. */
const probeTimeoutMs = 1_000;

/** The result of one `/health` probe. */
export interface HealthProbe {
  healthy: boolean;
  detail: string;
}

/** GETs `<clientUrl>/health` once. */
export function probeHealth(clientUrl: string): Promise<HealthProbe> {
  return new Promise((resolve) => {
    const request = http.get(`${clientUrl}/health`, { timeout: probeTimeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        const healthy = response.statusCode === 200 && parseHealth(body);
        resolve({ healthy, detail: `HTTP ${response.statusCode}: ${body.trim().slice(0, 200)}` });
      });
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve({ healthy: false, detail: error.message }));
  });
}

function parseHealth(body: string): boolean {
  try {
    return (JSON.parse(body) as { health?: unknown }).health === 'true';
  } catch {
    return false;
  }
}

/** Calls Maintenance.Status once; resolves with an error description, or undefined when it succeeded. */
export async function probeStatus(clientUrl: string): Promise<string | undefined> {
  const client = connect(clientUrl, { deadlineMs: probeTimeoutMs });
  try {
    await client.maintenance.status();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.close();
  }
}

/** Polls until the member is healthy over HTTP and gRPC; throws with the last probe result at the deadline. */
export async function waitUntilReady(clientUrl: string, timeoutMs: number, stillRunning: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no probe yet';
  while (Date.now() < deadline) {
    if (!stillRunning()) throw new Error(`exited before becoming ready (last probe: ${last})`);
    const health = await probeHealth(clientUrl);
    last = `/health ${health.detail}`;
    if (health.healthy) {
      const statusError = await probeStatus(clientUrl);
      if (statusError === undefined) return;
      last = `Status: ${statusError}`;
    }
    await new Promise((resolve) => setTimeout(resolve, readinessPollMs));
  }
  throw new Error(`not ready within ${timeoutMs} ms (last probe: ${last})`);
}
