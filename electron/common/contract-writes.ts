// Which calls change a cluster. A connection tagged production asks the user to confirm each of them (typing the
// connection's name), and main refuses them without that confirmation (`OnConnection.productionConfirmation`),
// so the rule holds even when a GUI code path forgets its dialog. The renderer reads the same table to know
// when to ask.
import type { KeyTxnArgs, MethodName, ServiceName } from './contract.ts';

/**
 * The methods that change a cluster's data, membership, maintenance state or access control. Left out on
 * purpose: `leases.keepAliveOnce` (it only renews a TTL to the value the lease was granted with) and every call
 * that only reads, snapshots included.
 */
export const writeMethods = {
  keys: ['put', 'delete', 'txn'],
  leases: ['grant', 'revoke'],
  cluster: ['addMember', 'removeMember', 'updateMember', 'promoteMember', 'moveLeader'],
  maintenance: ['defragment', 'disarm', 'compact'],
  auth: [
    'enable', 'disable', 'addUser', 'deleteUser', 'changePassword', 'grantRole', 'revokeRole', 'addRole', 'deleteRole',
    'grantPermission', 'revokePermission',
  ],
} as const satisfies { [S in ServiceName]?: readonly MethodName<S>[] };

/** True when `service.method` is in `writeMethods`. */
export function isWriteMethod(service: string, method: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(writeMethods, service)) return false;
  return (writeMethods[service as keyof typeof writeMethods] as readonly string[]).includes(method);
}

/** True when this call (with these arguments) would change the cluster: a transaction only when it has a put or delete. */
export function changesCluster(service: string, method: string, args: unknown): boolean {
  if (!isWriteMethod(service, method)) return false;
  if (service !== 'keys' || method !== 'txn') return true;
  const txn = args as Pick<KeyTxnArgs, 'success' | 'failure'>;
  return [...txn.success, ...txn.failure].some((op) => op.type !== 'range');
}
