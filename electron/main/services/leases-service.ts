// Leases: listed with their remaining TTL and key count (asked for the first `leasesWithTtlMax` only, so a
// cluster with thousands of leases still lists quickly), granted, revoked, renewed once, inspected.
import type { LeaseInfo, LeasesService } from '../../common/contract.ts';
import { leasesWithTtlMax } from '../../common/limits.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import type { EtcdConnection } from '../etcd/etcd-connection.ts';
import type { LeaseKeepAliveResponse__Output } from '../../../engine/proto/generated/etcdserverpb/LeaseKeepAliveResponse.ts';
import type { LeaseTimeToLiveResponse__Output } from '../../../engine/proto/generated/etcdserverpb/LeaseTimeToLiveResponse.ts';
import { callDeadlineMsDefault } from '../etcd/etcd-connection.ts';
import { refuse, settle } from './call.ts';

/** The leases service over the open connections. */
export function createLeasesService(registry: ConnectionRegistry): LeasesService {
  return {
    list: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await connection.call('read', (s) => s.lease.leaseLeases.bind(s.lease), {});
      const ids = response.leases.map((lease) => lease.ID);
      const detailed = await Promise.all(ids.slice(0, leasesWithTtlMax).map((id) => timeToLive(connection, id, true).catch(() => undefined)));
      const leases: LeaseInfo[] = ids.map((id, index) => {
        const detail = detailed[index];
        return detail && Number(detail.TTL) >= 0
          ? { id, ttl: Number(detail.TTL), grantedTtl: Number(detail.grantedTTL), keyCount: detail.keys.length }
          : { id, ttl: null, grantedTtl: null, keyCount: null };
      });
      return { leases };
    }),
    grant: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await connection.call('write', (s) => s.lease.leaseGrant.bind(s.lease), { TTL: args.ttl, ID: args.id ?? '0' });
      if (response.error) refuse('etcd', `The cluster could not grant the lease: ${response.error}`);
      return { id: response.ID, ttl: Number(response.TTL) };
    }),
    revoke: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      await connection.call('write', (s) => s.lease.leaseRevoke.bind(s.lease), { ID: args.id });
      return null;
    }),
    keepAliveOnce: (args) => settle(async () => {
      const response = await keepAliveOnce(registry.get(args.connectionId), args.id);
      if (Number(response.TTL) <= 0) refuse('not-found', 'The lease does not exist (it expired or was revoked).');
      return { id: args.id, ttl: Number(response.TTL) };
    }),
    timeToLive: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await timeToLive(connection, args.id, args.keys ?? false);
      if (Number(response.TTL) < 0) refuse('not-found', 'The lease does not exist (it expired or was revoked).');
      return { id: args.id, ttl: Number(response.TTL), grantedTtl: Number(response.grantedTTL), keys: response.keys.map((key) => new Uint8Array(connection.scope.strip(key))) };
    }),
  };
}

function timeToLive(connection: EtcdConnection, id: string, keys: boolean): Promise<LeaseTimeToLiveResponse__Output> {
  return connection.call('read', (s) => s.lease.leaseTimeToLive.bind(s.lease), { ID: id, keys });
}

async function keepAliveOnce(connection: EtcdConnection, id: string): Promise<LeaseKeepAliveResponse__Output> {
  const channel = connection.channel();
  const metadata = await connection.streamMetadata(channel);
  return new Promise((resolve, reject) => {
    const stream = channel.services.lease.leaseKeepAlive(metadata, { deadline: Date.now() + callDeadlineMsDefault });
    stream.once('data', (response: LeaseKeepAliveResponse__Output) => {
      resolve(response);
      stream.cancel();
    });
    stream.once('error', reject);
    stream.write({ ID: id });
  });
}
