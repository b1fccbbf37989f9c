// The TLS settings of a member, defined once: engine/cli builds them from etcd's flags, engine/tls turns them into
// Node's TLS options and certificate checks, engine/embed passes them from one to the other. Types only.

/** A TLS protocol version etcd lets operators pin (--tls-min-version, --tls-max-version). */
export type TlsVersion = 'TLS1.2' | 'TLS1.3';

/** The flags of one side, the client port (--cert-file, ...) or the peer port (--peer-cert-file, ...); '' is "not given". */
export interface TlsSideSettings {
  certificateFile: string;
  keyFile: string;
  trustedCaFile: string;
  clientCertificateAuth: boolean;
  autoTls: boolean;
  /** The certificate the member presents when it dials this side itself (--client-cert-file); the server's when ''. */
  clientCertificateFile: string;
  clientKeyFile: string;
  /** --client-crl-file / --peer-crl-file. */
  revocationListFile: string;
  /** --client-cert-allowed-hostname / --peer-cert-allowed-hostname (empty: any). */
  allowedHostnames: string[];
}

/** The peer side's flags. */
export interface PeerTlsSettings extends TlsSideSettings {
  /** --peer-cert-allowed-cn (empty: any). */
  allowedCommonNames: string[];
  skipClientSanVerification: boolean;
}

/** TLS versions and cipher suites, shared by both sides as in etcd. */
export interface TlsProtocolSettings {
  cipherSuites: readonly string[];
  tlsMinVersion: TlsVersion;
  /** Undefined: the highest version the runtime supports. */
  tlsMaxVersion: TlsVersion | undefined;
}

/** Every TLS setting of a member. */
export interface MemberTlsSettings extends TlsProtocolSettings {
  clientTls: TlsSideSettings;
  peerTls: PeerTlsSettings;
  /** --self-signed-cert-validity, for --auto-tls and --peer-auto-tls certificates. */
  selfSignedCertificateValidityYears: number;
}
