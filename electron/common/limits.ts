// Every bound the IPC contract enforces, in one place. Main validates each argument against these before any
// work starts, so a renderer bug (or a hostile page in browser mode) cannot make main allocate without bound.

/** Longest connection name, in characters. */
export const connectionNameCharsMax = 200;
/** Most endpoints one connection may list. */
export const endpointsMax = 16;
/** Longest endpoint (`https://host:port`), in characters. */
export const endpointCharsMax = 512;
/** Most saved connections. */
export const connectionsMax = 500;
/** Longest PEM text (CA bundle, certificate or key), in characters. */
export const pemCharsMax = 256 * 1024;
/** Longest user, role or server name, in characters. */
export const nameCharsMax = 256;
/** Longest password, in characters. */
export const passwordCharsMax = 1024;
/** Longest key, in bytes: etcd bounds keys only by its request size (1.5 MiB by default). */
export const keyBytesMax = 1536 * 1024;
/** Largest value main accepts for a put, in bytes; the server's own --max-request-bytes applies as well. */
export const valueBytesMax = 64 * 1024 * 1024;
/** Value bytes `keys.get` returns unless asked for more: larger values arrive truncated, flagged as such. */
export const valueBytesDefault = 1024 * 1024;
/** Value bytes a listing or a watch event carries per key by default. */
export const valuePreviewBytesDefault = 256;
/** Most value bytes a listing or a watch event may carry per key. */
export const valuePreviewBytesMax = 64 * 1024;
/** Keys per page when the caller does not say. */
export const pageLimitDefault = 500;
/** Most keys (or tree entries) per page. */
export const pageLimitMax = 10_000;
/** Most earlier versions one history call returns. */
export const historyVersionsMax = 200;
/** Most operations in one transaction sent through the contract (etcd's own default is 128). */
export const txnOpsMax = 1024;
/** Most compares in one transaction. */
export const txnComparesMax = 128;
/** Longest tree separator, in characters. */
export const separatorCharsMax = 8;
/** Most watches one window (or browser tab) may hold at once. */
export const watchesPerSessionMax = 64;
/** Most watch events buffered for one window between two pushes; older events are dropped and counted. */
export const watchBufferEventsMax = 10_000;
/** Most events in one push to the renderer. */
export const watchBatchEventsMax = 1_000;
/** Longest lease TTL, in seconds (etcd's MaxLeaseTTL). */
export const leaseTtlSecondsMax = 9_000_000_000;
/** Most leases whose TTL `leases.list` asks for. */
export const leasesWithTtlMax = 200;
/** Most peer URLs for one member. */
export const peerUrlsMax = 8;
/** Most log lines one `localCluster.logs` call returns. */
export const logLinesMax = 5_000;
/** Longest identifier chosen by the renderer (operation ids), in characters. */
export const operationIdCharsMax = 64;
/** Local cluster sizes the supervisor supports (odd, so a majority survives a member loss). */
export const localClusterSizes = [1, 3, 5] as const;
/** Shortest interval of a snapshot schedule, in minutes. */
export const scheduleIntervalMinutesMin = 1;
/** Longest interval of a snapshot schedule, in minutes (31 days). */
export const scheduleIntervalMinutesMax = 31 * 24 * 60;
/** Most scheduled snapshots one connection keeps. */
export const scheduleKeepMax = 1_000;
/** Largest snapshot file the user may import into the library, in bytes (etcd's own quota tops out at 8 GiB). */
export const snapshotImportBytesMax = 64 * 1024 * 1024 * 1024;
/** Most bytes of a snapshot file one `maintenance.importSnapshot` call carries (well under `webFrameBytesMax` as base64). */
export const snapshotImportChunkBytesMax = 4 * 1024 * 1024;
/** Longest name of an imported snapshot file, in characters. */
export const snapshotFileNameCharsMax = 255;
