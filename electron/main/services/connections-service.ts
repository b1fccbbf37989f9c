// Connections: the local cluster (always first, not editable) and the saved remote ones; tests and TLS checks.
import type { ConnectionList, ConnectionsService, ConnectionSummary } from '../../common/contract.ts';
import { localConnectionId } from '../../common/contract.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { testConnection } from '../connections/connection-test.ts';
import { checkTls } from '../connections/tls-check.ts';
import { secretStorageStatus, type SecretCipher } from '../connections/secret-cipher.ts';
import { Emitter } from '../util/emitter.ts';
import type { ClientTlsMaterial } from '../supervisor/member-tls.ts';
import { refuse, settle } from './call.ts';

/** What the connections service needs. */
export interface ConnectionsDependencies {
  store: ConnectionStore;
  registry: ConnectionRegistry;
  cipher: SecretCipher;
  /** The local cluster's client URLs now (empty before its first start). */
  localClientUrls(): string[];
  /** The CA and client certificate for the local cluster while it runs with TLS, else null. */
  localClientTls(): ClientTlsMaterial | null;
  /** Called after a saved connection was removed (its snapshot schedule goes with it). */
  onRemoved?(id: string): void;
}

const localCreatedAt = new Date().toISOString();

/** The connections service and a way to find a connection's name. */
export function createConnectionsService(deps: ConnectionsDependencies): ConnectionsService & { nameOf(id: string): string } {
  const changed = new Emitter<ConnectionList>();
  const localTls = deps.localClientTls;
  const local = (): ConnectionSummary => ({
    id: localConnectionId, name: 'Local cluster', endpoints: deps.localClientUrls(), environment: 'local', color: null, keyPrefix: null,
    tls: localTls() && { caPem: localTls()!.caPem, certPem: localTls()!.certPem, hasKey: true, serverName: null, insecureSkipVerify: false }, username: null, hasPassword: false, isLocal: true, secretsInPlaintext: false, createdAt: localCreatedAt, updatedAt: localCreatedAt,
  });
  const list = (): ConnectionList => ({ connections: [local(), ...deps.store.list()], secretStorage: secretStorageStatus(deps.cipher) });
  const notLocal = (id: string): void => {
    if (id === localConnectionId) refuse('forbidden', 'The local cluster\'s connection is managed by Cairn and cannot be edited or removed.');
  };
  return {
    list: () => settle(list),
    add: (args) => settle(() => {
      const summary = deps.store.add(args.draft);
      changed.fire(list());
      return summary;
    }),
    update: (args) => settle(() => {
      notLocal(args.id);
      const summary = deps.store.update(args.id, args.draft);
      deps.registry.forget(args.id);
      changed.fire(list());
      return summary;
    }),
    remove: (args) => settle(() => {
      notLocal(args.id);
      deps.store.remove(args.id);
      deps.registry.forget(args.id);
      deps.onRemoved?.(args.id);
      changed.fire(list());
      return null;
    }),
    test: (args) => settle(() => {
      if (args.id === localConnectionId && args.draft === undefined) {
        const urls = deps.localClientUrls();
        if (urls.length === 0) refuse('unavailable', 'The local cluster has not been started yet.');
        return testConnection({ endpoints: urls, tls: localTls() });
      }
      const settings = args.draft ? deps.store.draftSettings(args.draft, args.id === localConnectionId ? undefined : args.id) : deps.store.settings(args.id!);
      return testConnection(settings);
    }),
    checkTls: (args) => settle(() => checkTls(args)),
    onDidChange: changed.event,
    onDidChangeStatus: deps.registry.onDidChangeStatus,
    nameOf: (id) => (id === localConnectionId ? 'Local cluster' : deps.store.summary(id).name),
  };
}
