// The local cluster's identity, persisted in `<root>/cluster.json`: its size, cluster token, and each member's
// name, ports and (once learned) id. The same ports and token on every start mean the same peer URLs, so the
// members keep their ids, their data and their membership across app restarts.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { array, boolean, integer, nullable, object, oneOf, optional, text, uint64 } from '../../common/validate.ts';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.ts';
import { freePorts, loopbackHost } from './free-ports.ts';
import { clientTlsFlags, peerTlsFlags, type MemberTlsFiles } from './member-tls.ts';

/** One member's persisted identity. */
export interface MemberLayout {
  name: string;
  clientPort: number;
  peerPort: number;
  memberId: string | null;
  /** True when the cluster knows this member by an https peer URL (absent in files written before TLS: false). */
  peerSecure?: boolean;
  /** True for a member that joined a running cluster (a learner added later): it starts with `existing`. */
  joined?: boolean;
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
  members: array(object<MemberLayout>({ name: text({ min: 1, max: 64, pattern: /^[a-z0-9-]+$/ }), clientPort: port, peerPort: port, memberId: nullable(uint64()),
    peerSecure: optional(boolean()), joined: optional(boolean()),
  }), { min: 1, max: 7 }),
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
export async function createLayout(size: number, peerSecure = false): Promise<ClusterLayout> {
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
      peerSecure,
    })),
  };
}

/** `http://127.0.0.1:<port>`, or https when `secure`. */
export function loopbackUrl(portNumber: number, secure = false): string {
  return `${secure ? 'https' : 'http'}://${loopbackHost}:${portNumber}`;
}

/** The peer URL the cluster knows a member by. */
export function peerUrlOf(member: MemberLayout): string {
  return loopbackUrl(member.peerPort, member.peerSecure === true);
}

/** How one start of a member is set up beyond its layout: TLS, and a second peer listener while switching schemes. */
export interface MemberStartOptions {
  /** With these files the client URL is https with client-certificate auth; without, http. */
  clientTls?: MemberTlsFiles;
  /** The peer certificate files: needed whenever the member serves or dials an https peer URL. */
  peerTls?: MemberTlsFiles;
  /** Another peer URL to listen on besides the advertised one (the next one, while the cluster switches to it). */
  nextPeerUrl?: string;
}

/** The etcd flags of one member of the layout. */
export function memberFlags(layout: ClusterLayout, member: MemberLayout, dataDir: string, options: MemberStartOptions = {}): string[] {
  const initialCluster = layout.members.map((each) => `${each.name}=${peerUrlOf(each)}`).join(',');
  const clientUrl = loopbackUrl(member.clientPort, options.clientTls !== undefined);
  const listenPeerUrls = [peerUrlOf(member), ...(options.nextPeerUrl === undefined ? [] : [options.nextPeerUrl])];
  return [
    '--name', member.name,
    '--data-dir', dataDir,
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', listenPeerUrls.join(','),
    '--initial-advertise-peer-urls', peerUrlOf(member),
    '--initial-cluster', initialCluster,
    // 'new' on every start of a founding member: a member with a WAL ignores the bootstrap flags, as etcd does.
    // A member added later joins the running cluster, which it learns from its peers.
    '--initial-cluster-state', member.joined === true ? 'existing' : 'new',
    '--initial-cluster-token', layout.token,
    ...(options.clientTls ? clientTlsFlags(options.clientTls) : []),
    ...(options.peerTls ? peerTlsFlags(options.peerTls) : []),
  ];
}
