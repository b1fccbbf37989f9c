// The peer transport's public surface: what the server and embed import.
export { PeerTransport } from './peer-transport.ts';
export { defaultTuning, type PeerStats, type TransportHost, type TransportOptions, type TransportTuning } from './transport-types.ts';
export { fetchClusterFromPeers, fetchPeerVersion, type PeerCluster, type PeerClientOptions, type PeerVersion } from './peer-client.ts';
export { decodeMessage, encodeMessage, encodedMessageBytes, MessageCodecError, messageCodecVersion } from './message-codec.ts';
export { parsePeerUrl, type PeerUrl } from './peer-url.ts';
export type { PeerTlsOptions } from './peer-tls.ts';
