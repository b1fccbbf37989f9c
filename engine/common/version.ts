// Versions a Cairn member reports. Clients and operators read the etcd version to decide which API features
// exist, so Cairn reports the etcd release whose API it implements, and its own version beside it.

/** The etcd API release Cairn is wire-compatible with (reported as the server version). */
export const etcdServerVersion = '3.5.17';

/** The cluster version reported once the cluster is up (major.minor.0, as etcd does). */
export const etcdClusterVersion = '3.5.0';

/** The API version string (etcd's "API Version"). */
export const etcdApiVersion = '3.5';

/** Cairn's own version. */
export const cairnVersion = '0.1.0';
