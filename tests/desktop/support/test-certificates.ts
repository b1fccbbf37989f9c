// Certificates for TLS tests, made with the openssl command line in a temp dir: two CAs, server certificates
// for 127.0.0.1 (valid, expired, for another name) signed by the first CA, a self-signed one, and a client
// certificate. `openssl ca` is used because it can set validity dates in the past (an expired certificate).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A certificate and its key, PEM. */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

/** Everything the TLS tests use. */
export interface TestCertificates {
  ca: CertificatePair;
  otherCa: CertificatePair;
  server: CertificatePair;
  expiredServer: CertificatePair;
  otherNameServer: CertificatePair;
  selfSigned: CertificatePair;
  client: CertificatePair;
}

/** True when the openssl command is installed. */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openssl(directory: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(directory: string, name: string): CertificatePair {
  return { certPem: readFileSync(path.join(directory, `${name}.pem`), 'utf8'), keyPem: readFileSync(path.join(directory, `${name}.key`), 'utf8') };
}

function selfSignedCa(directory: string, name: string, subject: string): void {
  openssl(directory, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
    '-days', '30', '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function caConfig(directory: string): string {
  const config = path.join(directory, 'ca.cnf');
  mkdirSync(path.join(directory, 'issued'), { recursive: true });
  writeFileSync(path.join(directory, 'index.txt'), '');
  writeFileSync(path.join(directory, 'serial'), '1000\n');
  writeFileSync(config, [
    '[ca]', 'default_ca = test_ca',
    '[test_ca]', `dir = ${directory}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/issued', 'serial = $dir/serial',
    'certificate = $dir/ca.pem', 'private_key = $dir/ca.key', 'default_md = sha256', 'policy = any', 'copy_extensions = copy',
    'unique_subject = no', 'default_days = 30',
    '[any]', 'commonName = supplied',
  ].join('\n'));
  return config;
}

function issue(directory: string, config: string, name: string, commonName: string, altNames: string, usage: 'serverAuth' | 'clientAuth', dates?: [string, string]): void {
  openssl(directory, [
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`,
    '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${altNames}`, '-addext', `extendedKeyUsage=${usage}`,
  ]);
  const validity = dates ? ['-startdate', dates[0], '-enddate', dates[1]] : [];
  openssl(directory, ['ca', '-batch', '-config', config, '-notext', '-in', `${name}.csr`, '-out', `${name}.pem`, ...validity]);
}

/** Creates every certificate in `directory`. */
export function createTestCertificates(directory: string): TestCertificates {
  mkdirSync(directory, { recursive: true });
  selfSignedCa(directory, 'ca', '/CN=Cairn Test CA');
  selfSignedCa(directory, 'other-ca', '/CN=Some Other CA');
  const config = caConfig(directory);
  issue(directory, config, 'server', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost', 'serverAuth');
  issue(directory, config, 'expired-server', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost', 'serverAuth', ['20200101000000Z', '20200201000000Z']);
  issue(directory, config, 'other-name-server', 'other.example', 'DNS:other.example', 'serverAuth');
  issue(directory, config, 'client', 'cairn-user', 'DNS:cairn-user', 'clientAuth');
  openssl(directory, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self-signed.key', '-out', 'self-signed.pem',
    '-days', '30', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return {
    ca: read(directory, 'ca'),
    otherCa: read(directory, 'other-ca'),
    server: read(directory, 'server'),
    expiredServer: read(directory, 'expired-server'),
    otherNameServer: read(directory, 'other-name-server'),
    selfSigned: read(directory, 'self-signed'),
    client: read(directory, 'client'),
  };
}
