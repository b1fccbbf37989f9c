// What the supervisor needs to run the local cluster with TLS: where the certificate files are (for the members'
// etcd flags), the PEM material its own probes and Cairn's client present, and the persisted on/off setting.
// electron/main/local-tls implements it; the supervisor only sees this interface, so it never generates keys.

/** The files of the local cluster's certificates, as paths the member processes read. */
export interface MemberTlsFiles {
  caFile: string;
  serverCertificateFile: string;
  serverKeyFile: string;
  peerCertificateFile: string;
  peerKeyFile: string;
  clientCertificateFile: string;
  clientKeyFile: string;
}

/** PEM text of the CA and of the client certificate and key that Cairn presents to the members. */
export interface ClientTlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** The local cluster's TLS setting and certificates. */
export interface LocalTlsSource {
  /** True when the user turned TLS on (persisted across app restarts). */
  enabled(): boolean;
  /** Makes sure valid certificates exist (creating them when missing, damaged or about to expire), then turns TLS on. Resolves true when new certificates were made. */
  enable(): Promise<boolean>;
  /** Turns TLS off (the certificates stay on disk). */
  disable(): void;
  files(): MemberTlsFiles;
  clientMaterial(): ClientTlsMaterial;
}

/** The etcd flags of a member's client port with TLS and client-certificate auth. */
export function clientTlsFlags(files: MemberTlsFiles): string[] {
  return [
    '--cert-file', files.serverCertificateFile,
    '--key-file', files.serverKeyFile,
    '--trusted-ca-file', files.caFile,
    '--client-cert-auth',
    // The member dials the leader's client port (lease keep-alives, promotion) with this certificate.
    '--client-cert-file', files.clientCertificateFile,
    '--client-key-file', files.clientKeyFile,
  ];
}

/** The etcd flags of a member's peer port with TLS and peer certificate auth. */
export function peerTlsFlags(files: MemberTlsFiles): string[] {
  return [
    '--peer-cert-file', files.peerCertificateFile,
    '--peer-key-file', files.peerKeyFile,
    '--peer-trusted-ca-file', files.caFile,
    '--peer-client-cert-auth',
  ];
}
