// The cluster's membership as applied from the log: member records in the 'members' bucket, removed IDs in
// 'membersRemoved', and the cluster ID in 'cluster'. Every change is made inside the apply transaction.
import type { ReadTx, WriteTx } from '../storage/backend/backend.ts';
import { messageType } from '../proto/load.ts';
import type { Member } from '../proto/generated/etcdserverpb/Member.ts';

/** One member of the cluster. */
export interface MemberInfo {
  id: bigint;
  /** Empty until the member has published its attributes. */
  name: string;
  peerUrls: string[];
  /** Empty until the member has published its attributes. */
  clientUrls: string[];
  isLearner: boolean;
}

const clusterIdKey = Buffer.from('clusterId');

function idKey(id: bigint): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(id);
  return key;
}

/** Bytes of a member record (stored in the members bucket and in membership-change contexts). */
export function encodeMember(member: MemberInfo): Uint8Array {
  const type = messageType('cairnpb.MemberRecord');
  return type
    .encode(type.fromObject({ ID: member.id.toString(), name: member.name, peerURLs: member.peerUrls, clientURLs: member.clientUrls, isLearner: member.isLearner }))
    .finish();
}

/** A member record from its bytes. */
export function decodeMember(bytes: Uint8Array): MemberInfo {
  const type = messageType('cairnpb.MemberRecord');
  const record = type.toObject(type.decode(bytes), { longs: String, defaults: true, arrays: true }) as {
    ID: string;
    name: string;
    peerURLs: string[];
    clientURLs: string[];
    isLearner: boolean;
  };
  return { id: BigInt(record.ID), name: record.name, peerUrls: record.peerURLs, clientUrls: record.clientURLs, isLearner: record.isLearner };
}

/** Membership reads and writes over the backend. */
export class Membership {
  /** Every current member, ordered by ID. */
  static members(tx: ReadTx): MemberInfo[] {
    const members: MemberInfo[] = [];
    for (const entry of tx.range('members', Buffer.alloc(0))) members.push(decodeMember(entry.value));
    return members;
  }

  /** One member, or undefined. */
  static member(tx: ReadTx, id: bigint): MemberInfo | undefined {
    const bytes = tx.get('members', idKey(id));
    return bytes ? decodeMember(bytes) : undefined;
  }

  /** Adds or replaces a member record. */
  static save(tx: WriteTx, member: MemberInfo): void {
    tx.put('members', idKey(member.id), encodeMember(member));
  }

  /** Removes a member and remembers its ID so it can never rejoin. */
  static remove(tx: WriteTx, id: bigint): void {
    tx.delete('members', idKey(id));
    tx.put('membersRemoved', idKey(id), Buffer.from([1]));
  }

  /** Whether `id` was removed from the cluster. */
  static isRemoved(tx: ReadTx, id: bigint): boolean {
    return tx.get('membersRemoved', idKey(id)) !== undefined;
  }

  /** The cluster ID, once stored. */
  static clusterId(tx: ReadTx): bigint | undefined {
    const bytes = tx.get('cluster', clusterIdKey);
    return bytes ? Buffer.from(bytes).readBigUInt64BE(0) : undefined;
  }

  /** Stores the cluster ID. */
  static saveClusterId(tx: WriteTx, id: bigint): void {
    tx.put('cluster', clusterIdKey, idKey(id));
  }
}

/** The wire shape of a member. */
export function toProtoMember(member: MemberInfo): Member {
  return {
    ID: member.id.toString(),
    name: member.name,
    peerURLs: member.peerUrls,
    clientURLs: member.clientUrls,
    isLearner: member.isLearner,
  };
}
