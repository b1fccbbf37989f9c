// One side's TLS (the client port or the peer port) resolved from etcd's flags: the certificate files or a
// self-signed certificate (--auto-tls), client certificate authentication, TLS versions and cipher suites, as
// Node's server options and as the options the member uses when it dials that side itself.
import type { ConnectionOptions, SecureVersion, TlsOptions } from 'node:tls';
import { opensslCipherList } from './cipher-suites.ts';
import { ensureSelfSignedCertificate } from './self-signed-certificate.ts';
import { readTlsFiles, type TlsMaterial } from './tls-files.ts';
import type { TlsProtocolSettings, TlsSideSettings, TlsVersion } from '../common/tls-settings.ts';

/** Where a side's flags come from and what --auto-tls needs. */
export interface TlsSideContext {
  /** '' for the client port, 'peer-' for the peer port: flag names in errors. */
  flagPrefix: '' | 'peer-';
  /** Where a self-signed certificate is kept (<data-dir>/fixtures/client or .../peer). */
  autoTlsDirectory: string;
  /** SANs of a self-signed certificate. */
  hosts: readonly string[];
  validityYears: number;
  warn(message: string): void;
}

/** A side's resolved TLS. */
export interface SideTls {
  /** Options of the servers of this side (tls.createServer / https.createServer). */
  server: TlsOptions;
  /** Options the member dials this side with (https.request / grpc credentials). */
  client: ConnectionOptions;
  /** PEM material, for clients that take it apart (grpc-js credentials). */
  material: TlsMaterial;
  clientMaterial: { cert: Buffer; key: Buffer };
  /** --client-cert-auth / --peer-client-cert-auth as etcd keeps it (dropped with a self-signed certificate). */
  clientCertificateAuth: boolean;
  /**
   * Whether the servers of this side require and verify a client certificate: etcd's ServerConfig does so with
   * client certificate auth or with a trusted CA file alone (tls.RequireAndVerifyClientCert).
   */
  requireClientCertificate: boolean;
  /** True with --auto-tls: nobody can verify the certificate, so the member's own dials skip verification (as etcd). */
  selfSigned: boolean;
}

function nodeVersion(version: TlsVersion): SecureVersion {
  return version === 'TLS1.2' ? 'TLSv1.2' : 'TLSv1.3';
}

/** Node's version and cipher options for etcd's --tls-min-version, --tls-max-version and --cipher-suites. */
export function protocolOptions(protocol: TlsProtocolSettings): Pick<TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  const { tlsMinVersion, tlsMaxVersion, cipherSuites } = protocol;
  if (tlsMaxVersion !== undefined && tlsMinVersion === 'TLS1.3' && tlsMaxVersion === 'TLS1.2') {
    throw new Error(`min version (${tlsMinVersion}) is greater than max version (${tlsMaxVersion})`);
  }
  if (cipherSuites.length > 0 && tlsMinVersion === 'TLS1.3') throw new Error('cipher suites cannot be configured when only TLS1.3 is enabled');
  const options: Pick<TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers'> = { minVersion: nodeVersion(tlsMinVersion) };
  if (tlsMaxVersion !== undefined) options.maxVersion = nodeVersion(tlsMaxVersion);
  if (cipherSuites.length > 0) {
    const list = opensslCipherList(cipherSuites);
    if ('error' in list) throw new Error(list.error);
    options.ciphers = list.ciphers;
  }
  return options;
}

/** The side's TLS, or undefined when it has neither certificate files nor --auto-tls (plain http). */
export async function resolveSideTls(settings: TlsSideSettings, protocol: TlsProtocolSettings, context: TlsSideContext): Promise<SideTls | undefined> {
  const prefix = context.flagPrefix;
  const hasFiles = settings.certificateFile !== '' || settings.keyFile !== '';
  if (!hasFiles && !settings.autoTls) return undefined;
  let files = { certificateFile: settings.certificateFile, keyFile: settings.keyFile, trustedCaFile: settings.trustedCaFile };
  const selfSigned = !hasFiles;
  if (settings.autoTls && hasFiles) context.warn(`ignoring ${prefix === '' ? 'client' : 'peer'} auto TLS since certs given`);
  if (selfSigned) {
    // etcd's ClientSelfCert / PeerSelfCert replace the side's whole TLSInfo with the self-signed certificate, so
    // the trusted CA file and client certificate auth given with --auto-tls are dropped (no client certificate is
    // requested), as is a client certificate to dial with.
    const made = await ensureSelfSignedCertificate(context.autoTlsDirectory, context.hosts, context.validityYears);
    files = { ...made, trustedCaFile: '' };
  }
  if (files.certificateFile === '') throw new Error(`--${prefix}cert-file is required with --${prefix}key-file`);
  if (files.keyFile === '') throw new Error(`--${prefix}key-file is required with --${prefix}cert-file`);
  const flags = { certificate: `--${prefix}cert-file`, key: `--${prefix}key-file`, trustedCa: `--${prefix}trusted-ca-file` };
  const material = readTlsFiles(files, flags);
  const clientMaterial =
    !selfSigned && settings.clientCertificateFile !== '' && settings.clientKeyFile !== ''
      ? readTlsFiles(
          { certificateFile: settings.clientCertificateFile, keyFile: settings.clientKeyFile, trustedCaFile: '' },
          { certificate: `--${prefix}client-cert-file`, key: `--${prefix}client-key-file`, trustedCa: '' },
        )
      : material;
  const versions = protocolOptions(protocol);
  const ca = material.ca === undefined ? {} : { ca: material.ca };
  const clientCertificateAuth = !selfSigned && settings.clientCertificateAuth;
  const requireClientCertificate = clientCertificateAuth || files.trustedCaFile !== '';
  return {
    server: { cert: material.cert, key: material.key, ...ca, ...versions, requestCert: requireClientCertificate, rejectUnauthorized: requireClientCertificate },
    client: { cert: clientMaterial.cert, key: clientMaterial.key, ...ca, ...versions, rejectUnauthorized: !selfSigned },
    material,
    clientMaterial: { cert: clientMaterial.cert, key: clientMaterial.key },
    clientCertificateAuth,
    requireClientCertificate,
    selfSigned,
  };
}
