// etcd's permission arithmetic (auth/range_perm_cache.go): a user's permissions are the union of its roles'
// key intervals, one union for reading and one for writing. A single key needs a permitted interval that
// holds it; a range needs the union of permitted intervals to cover it without a gap. Bytes compare
// "affinely" as in etcd's adt package: an empty byte string stands for +infinity, which is how "from key"
// (range_end "\0") permissions and requests are represented.

/** etcd's authpb.Permission.Type values. */
export enum PermissionType {
  Read = 0,
  Write = 1,
  ReadWrite = 2,
}

/** One permission of a role, as stored (authpb.Permission). */
export interface Permission {
  type: PermissionType;
  key: Uint8Array;
  /** Empty: the single key; "\0": every key from `key`; else the exclusive end. */
  rangeEnd: Uint8Array;
}

/** A half-open interval [begin, end) under affine comparison (empty = +infinity). */
interface Interval {
  begin: Uint8Array;
  end: Uint8Array;
}

/** The merged permissions of one user. */
export interface UnifiedPermissions {
  read: Interval[];
  write: Interval[];
}

function compareAffine(a: Uint8Array, b: Uint8Array): number {
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  if (b.length === 0) return -1;
  return Buffer.compare(a, b);
}

function isFromKey(rangeEnd: Uint8Array): boolean {
  return rangeEnd.length === 1 && rangeEnd[0] === 0;
}

function pointInterval(key: Uint8Array): Interval {
  const end = new Uint8Array(key.length + 1);
  end.set(key);
  return { begin: key, end };
}

function permissionInterval(permission: Permission): Interval {
  if (permission.rangeEnd.length === 0) return pointInterval(permission.key);
  return { begin: permission.key, end: isFromKey(permission.rangeEnd) ? new Uint8Array(0) : permission.rangeEnd };
}

function overlaps(a: Interval, b: Interval): boolean {
  return compareAffine(a.begin, b.end) < 0 && compareAffine(b.begin, a.end) < 0;
}

/** Merges the permissions of all of a user's roles into read and write interval sets. */
export function unifyPermissions(permissions: Iterable<Permission>): UnifiedPermissions {
  const unified: UnifiedPermissions = { read: [], write: [] };
  for (const permission of permissions) {
    const interval = permissionInterval(permission);
    if (permission.type !== PermissionType.Write) unified.read.push(interval);
    if (permission.type !== PermissionType.Read) unified.write.push(interval);
  }
  const byBegin = (a: Interval, b: Interval): number => compareAffine(a.begin, b.begin);
  unified.read.sort(byBegin);
  unified.write.sort(byBegin);
  return unified;
}

/** Whether the union of `intervals` (sorted by begin) covers `wanted` without a gap (adt's Contains). */
function covers(intervals: readonly Interval[], wanted: Interval): boolean {
  let minBegin: Uint8Array | undefined;
  let maxEnd: Uint8Array | undefined;
  for (const interval of intervals) {
    if (!overlaps(interval, wanted)) continue;
    if (minBegin === undefined || maxEnd === undefined) {
      minBegin = interval.begin;
      maxEnd = interval.end;
      continue;
    }
    if (compareAffine(maxEnd, interval.begin) < 0) return false;
    if (compareAffine(interval.end, maxEnd) > 0) maxEnd = interval.end;
  }
  return minBegin !== undefined && maxEnd !== undefined && compareAffine(maxEnd, wanted.end) >= 0 && compareAffine(minBegin, wanted.begin) <= 0;
}

/**
 * Whether `permissions` allow `type` access to `key` (empty `rangeEnd`) or to the whole range
 * [key, rangeEnd) ("\0": every key from `key`).
 */
export function isRangePermitted(permissions: UnifiedPermissions, key: Uint8Array, rangeEnd: Uint8Array, type: PermissionType.Read | PermissionType.Write): boolean {
  const intervals = type === PermissionType.Read ? permissions.read : permissions.write;
  if (rangeEnd.length === 0) {
    const point = pointInterval(key);
    return intervals.some((interval) => overlaps(interval, point));
  }
  return covers(intervals, { begin: key, end: isFromKey(rangeEnd) ? new Uint8Array(0) : rangeEnd });
}
