// Reads a member's certificate, key and trusted CA files, failing at startup with a message that names the flag
// and the file: a missing or unreadable file, a file without PEM content, or a key that does not belong to the
// certificate (etcd: "tls: private key does not match public key").
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The PEM contents of a certificate/key pair and the trusted CAs, as Node's TLS options want them. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Undefined: trust the runtime's default roots, as Go trusts the system pool without --trusted-ca-file. */
  ca: Buffer | undefined;
}

/** Which flags named the files, so that errors say where the bad file came from. */
export interface TlsFileFlags {
  certificate: string;
  key: string;
  trustedCa: string;
}

function readNamed(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${flag} ${file}: ${(error as Error).message}`);
  }
}

function parseCertificate(flag: string, file: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new Error(`${flag} ${file} holds no valid PEM certificate: ${(error as Error).message}`);
  }
}

/** Reads and checks the files; throws an Error naming the flag and file of the first problem. */
export function readTlsFiles(files: { certificateFile: string; keyFile: string; trustedCaFile: string }, flags: TlsFileFlags): TlsMaterial {
  const cert = readNamed(flags.certificate, files.certificateFile);
  const key = readNamed(flags.key, files.keyFile);
  const ca = files.trustedCaFile === '' ? undefined : readNamed(flags.trustedCa, files.trustedCaFile);
  const certificate = parseCertificate(flags.certificate, files.certificateFile, cert);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new Error(`${flags.key} ${files.keyFile} holds no valid PEM private key: ${(error as Error).message}`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`${flags.key} ${files.keyFile} does not match ${flags.certificate} ${files.certificateFile}: tls: private key does not match public key`);
  }
  if (ca !== undefined) parseCertificate(flags.trustedCa, files.trustedCaFile, ca);
  return { cert, key, ca };
}
