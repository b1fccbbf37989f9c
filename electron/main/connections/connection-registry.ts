// Open etcd connections by connection id: the local cluster's (its endpoints follow the supervisor, so a reset
// with new ports gets a new connection) and saved remote ones (closed and reopened when their settings change).
// Status changes of each are pushed to the GUI.
import type { ConnectionStatus } from '../../common/contract.ts';
import { localConnectionId } from '../../common/contract.ts';
import { EtcdConnection, type ConnectionHealth, type TlsSettings } from '../etcd/etcd-connection.ts';
import { toCairnError } from '../etcd/etcd-error.ts';
import { Emitter } from '../util/emitter.ts';
import { refuse } from '../services/call.ts';
import type { ConnectionStore } from './connection-store.ts';

/** Where the local cluster's client URLs come from, and the TLS material while it runs with TLS. */
export interface LocalEndpoints {
  clientUrls(): string[];
  /** The local CA and Cairn's client certificate (PEM), or null while the members serve plain http. */
  clientTls?(): TlsSettings | null;
}

/** The open connections. */
export class ConnectionRegistry {
  private readonly open = new Map<string, { connection: EtcdConnection; key: string }>();
  private readonly statusEmitter = new Emitter<ConnectionStatus>();
  private readonly lastState = new Map<string, ConnectionStatus['state']>();

  /** Fires when a connection's reachability changes. */
  readonly onDidChangeStatus = this.statusEmitter.event;

  /** A registry over the saved connections and the local cluster. */
  constructor(private readonly store: ConnectionStore, private readonly local: LocalEndpoints) {}

  /** The open connection for `id`, opening it if needed; throws a ServiceFailure for an unknown id. */
  get(id: string): EtcdConnection {
    if (id === localConnectionId) {
      const urls = this.local.clientUrls();
      if (urls.length === 0) refuse('unavailable', 'The local cluster has not been started yet.');
      // Settings are compared as a whole: switching TLS on or off (new URLs, new material) opens a new connection.
      return this.reuseOrOpen(id, { endpoints: urls, tls: this.local.clientTls?.() ?? null });
    }
    return this.reuseOrOpen(id, this.store.settings(id));
  }

  /** Closes the connection of `id` (its settings changed or it was removed). */
  forget(id: string): void {
    this.open.get(id)?.connection.close();
    this.open.delete(id);
    this.lastState.delete(id);
  }

  /** Closes every connection. */
  dispose(): void {
    for (const id of [...this.open.keys()]) this.forget(id);
    this.statusEmitter.dispose();
  }

  private reuseOrOpen(id: string, settings: ConstructorParameters<typeof EtcdConnection>[0]): EtcdConnection {
    const key = JSON.stringify(settings);
    const existing = this.open.get(id);
    if (existing && existing.key === key) return existing.connection;
    existing?.connection.close();
    const connection = new EtcdConnection(settings, (health) => this.report(id, health));
    this.open.set(id, { connection, key });
    return connection;
  }

  private report(id: string, health: ConnectionHealth): void {
    if (this.lastState.get(id) === health.state && health.state === 'ready') return;
    this.lastState.set(id, health.state);
    this.statusEmitter.fire({
      connectionId: id,
      state: health.state,
      endpoint: health.endpoint,
      error: health.error ? toCairnError(health.error, health.endpoint) : null,
    });
  }
}
