// The local cluster's identity, persisted in `<root>/cluster.json`: its size, cluster token, and each member's
// name, ports and (once learned) id. The same ports and token on every start mean the same peer URLs, so the
// members keep their ids, their data and their membership across app restarts.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { array, integer, nullable, object, oneOf, text, uint64 } from '../../common/validate.ts';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.ts';
import { freePorts, loopbackHost } from './free-ports.ts';

/** One member's persisted identity. */
export interface MemberLayout {
  name: string;
  clientPort: number;
  peerPort: number;
  memberId: string | null;
}

/** The persisted shape of the local cluster. */
export interface ClusterLayout {
  version: 1;
  size: number;
  token: string;
  createdAt: string;
  members: MemberLayout[];
}

const port = integer({ min: 1, max: 65_535 });
const layoutCheck = object<ClusterLayout>({
  version: oneOf([1] as const),
  size: integer({ min: 1, max: 7 }),
  token: text({ min: 1, max: 128 }),
  createdAt: text({ min: 1, max: 64 }),
  members: array(object<MemberLayout>({ name: text({ min: 1, max: 64, pattern: /^[a-z0-9-]+$/ }), clientPort: port, peerPort: port, memberId: nullable(uint64()) }), { min: 1, max: 7 }),
});

/** The layout file inside the cluster's root folder. */
export function layoutFile(rootDir: string): string {
  return path.join(rootDir, 'cluster.json');
}

/** The layout saved in `rootDir`, or undefined when there is none yet. Throws on a damaged file. */
export function loadLayout(rootDir: string): ClusterLayout | undefined {
  const raw = readJsonFile(layoutFile(rootDir));
  if (raw === undefined) return undefined;
  const checked = layoutCheck(raw, 'cluster.json');
  if (!checked.ok) throw new Error(`the local cluster's layout is damaged: ${checked.error}`);
  if (checked.value.members.length !== checked.value.size) throw new Error('the local cluster\'s layout is damaged: member count differs from size');
  return checked.value;
}

/** Saves the layout. */
export function saveLayout(rootDir: string, layout: ClusterLayout): void {
  writeFileAtomic(layoutFile(rootDir), `${JSON.stringify(layout, null, 2)}\n`);
}

/** A new layout of `size` members on free loopback ports, with a fresh cluster token. */
export async function createLayout(size: number): Promise<ClusterLayout> {
  const ports = await freePorts(size * 2);
  return {
    version: 1,
    size,
    token: `cairn-local-${randomBytes(8).toString('hex')}`,
    createdAt: new Date().toISOString(),
    members: Array.from({ length: size }, (_, index) => ({
      name: `member-${index + 1}`,
      clientPort: ports[index * 2]!,
      peerPort: ports[index * 2 + 1]!,
      memberId: null,
    })),
  };
}

/** `http://127.0.0.1:<port>`. */
export function loopbackUrl(portNumber: number): string {
  return `http://${loopbackHost}:${portNumber}`;
}

/** The etcd flags of one member of the layout. */
export function memberFlags(layout: ClusterLayout, member: MemberLayout, dataDir: string): string[] {
  const initialCluster = layout.members.map((each) => `${each.name}=${loopbackUrl(each.peerPort)}`).join(',');
  return [
    '--name', member.name,
    '--data-dir', dataDir,
    '--listen-client-urls', loopbackUrl(member.clientPort),
    '--advertise-client-urls', loopbackUrl(member.clientPort),
    '--listen-peer-urls', loopbackUrl(member.peerPort),
    '--initial-advertise-peer-urls', loopbackUrl(member.peerPort),
    '--initial-cluster', initialCluster,
    // 'new' on every start: a member with a WAL ignores the bootstrap flags, as etcd does.
    '--initial-cluster-state', 'new',
    '--initial-cluster-token', layout.token,
  ];
}
