import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../common/logger.ts';
import { Errors } from '../common/errors.ts';
import { createTokenProvider, decomposeTokenOptions } from './create-token-provider.ts';
import { parseJwtOptions } from './jwt-options.ts';
import { JwtTokens } from './jwt-tokens.ts';

const folder = mkdtempSync(path.join(os.tmpdir(), 'cairn-jwt-test-'));
process.on('exit', () => rmSync(folder, { recursive: true, force: true }));

function writeFile(name: string, content: string | Buffer): string {
  const file = path.join(folder, name);
  writeFileSync(file, content);
  return file;
}

function keyFiles(name: string, type: 'rsa' | 'ec', curve = 'P-256'): { pub: string; priv: string } {
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: curve });
  return {
    pub: writeFile(`${name}.pub.pem`, pair.publicKey.export({ type: 'spki', format: 'pem' })),
    priv: writeFile(`${name}.pem`, pair.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  };
}

const rsa = keyFiles('rsa', 'rsa');
const ec256 = keyFiles('ec256', 'ec', 'P-256');
const ec384 = keyFiles('ec384', 'ec', 'P-384');
const ec521 = keyFiles('ec521', 'ec', 'P-521');
const secret = writeFile('hmac.secret', randomBytes(32));

function options(text: string): Map<string, string> {
  return decomposeTokenOptions(`jwt,${text}`)!.options;
}

function logLines(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ sink: (line) => lines.push(line), level: 'debug' }) };
}

function tokensFor(text: string, clock: () => number = () => 1_700_000_000_000): JwtTokens {
  return new JwtTokens(parseJwtOptions(options(text)), clock, logLines().logger);
}

test('every sign method etcd accepts mints a token that verifies to its user and revision', () => {
  const cases: Array<[string, string]> = [
    ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((method): [string, string] => [method, `pub-key=${rsa.pub},priv-key=${rsa.priv}`]),
    ['ES256', `pub-key=${ec256.pub},priv-key=${ec256.priv}`],
    ['ES384', `priv-key=${ec384.priv}`],
    ['ES512', `priv-key=${ec521.priv}`],
    ...['HS256', 'HS384', 'HS512'].map((method): [string, string] => [method, `priv-key=${secret}`]),
  ];
  for (const [method, keys] of cases) {
    const tokens = tokensFor(`sign-method=${method},${keys}`);
    const token = tokens.assign('alice', 7);
    assert.deepEqual(tokens.info(token), { username: 'alice', revision: 7 }, method);
    const [header, claims] = token.split('.').map((part) => Buffer.from(part, 'base64url').toString());
    // Byte for byte what etcd's golang-jwt writes (maps are marshalled with sorted keys).
    assert.equal(header, `{"alg":"${method}","typ":"JWT"}`);
    assert.equal(claims, `{"exp":${1_700_000_000 + 300},"revision":7,"username":"alice"}`);
  }
});

test('a member holding only the public key verifies tokens of the signing member but cannot mint any', () => {
  const signer = tokensFor(`sign-method=RS256,priv-key=${rsa.priv}`);
  const verifier = tokensFor(`sign-method=RS256,pub-key=${rsa.pub}`);
  assert.equal(verifier.verifyOnly, true);
  assert.deepEqual(verifier.info(signer.assign('bob', 3)), { username: 'bob', revision: 3 });
  assert.throws(() => verifier.assign('bob', 3), (error) => error === Errors.AuthVerifyOnly);
});

test('a token expires after the ttl; tampered, foreign-key and other-method tokens are refused', () => {
  let now = 1_700_000_000_000;
  const tokens = tokensFor(`sign-method=ES256,priv-key=${ec256.priv},ttl=10s`, () => now);
  const token = tokens.assign('alice', 1);
  now += 10_000;
  assert.ok(tokens.info(token), 'valid through the second of its exp');
  now += 1_000;
  assert.equal(tokens.info(token), undefined);
  now = 1_700_000_000_000;
  const [header, , signature] = token.split('.');
  const forged = Buffer.from('{"exp":1900000000,"revision":1,"username":"root"}').toString('base64url');
  assert.equal(tokens.info(`${header}.${forged}.${signature}`), undefined);
  const otherKey = tokensFor(`sign-method=ES256,priv-key=${keyFiles('other', 'ec').priv}`, () => now);
  assert.equal(tokens.info(otherKey.assign('alice', 1)), undefined);
  const hmac = tokensFor(`sign-method=HS256,priv-key=${secret}`, () => now);
  assert.equal(tokens.info(hmac.assign('alice', 1)), undefined);
  assert.equal(tokens.info('abcdefghijklmnop.42'), undefined);
  assert.equal(tokens.info('a.b.c'), undefined);
});

test('the options fail as etcd: unknown method, missing key, unreadable file, bad ttl, mismatched or wrong-kind keys', () => {
  const refuse = (text: string, message: string | RegExp): void => {
    const { logger } = logLines();
    assert.throws(() => createTokenProvider({ authToken: text, simpleTtlMs: 1000, clock: Date.now, logger }), { message });
  };
  refuse('jwt', 'auth: invalid auth options');
  refuse('jwt,sign-method=XX256', 'auth: invalid auth options');
  refuse('jwt,sign-method=RS256', 'auth: missing key data');
  refuse('jwt,sign-method=HS256', 'auth: missing key data');
  refuse('jwt,sign-method=RS256,priv-key=/nonexistent/key.pem', 'auth: invalid auth options');
  refuse(`jwt,sign-method=RS256,priv-key=${rsa.priv},ttl=5 minutes`, 'auth: invalid auth options');
  refuse('jwt,sign-method', 'auth: invalid auth options');
  refuse('jwt,ttl=1m,ttl=2m', 'auth: invalid auth options');
  refuse('token', 'auth: invalid auth options');
  refuse(`jwt,sign-method=RS256,pub-key=${keyFiles('rsa2', 'rsa').pub},priv-key=${rsa.priv}`, "auth: public and private keys don't match");
  refuse(`jwt,sign-method=RS256,priv-key=${ec256.priv}`, 'Key is not a valid RSA private key');
  refuse(`jwt,sign-method=ES256,pub-key=${rsa.pub}`, 'Key is not a valid ECDSA public key');
  refuse(`jwt,sign-method=ES256,pub-key=${ec256.priv}`, 'Key is not a valid ECDSA public key');
  refuse(`jwt,sign-method=ES384,priv-key=${ec256.priv}`, /ES384 needs a secp384r1 key/);
});

test('--auth-token picks simple or JWT tokens, logs what etcd logs, and warns about unknown JWT options', () => {
  const { lines, logger } = logLines();
  const simple = createTokenProvider({ authToken: 'simple', simpleTtlMs: 1000, clock: Date.now, logger });
  assert.equal(simple.kind, 'simple');
  assert.match(lines.join('\n'), /simple token is not cryptographically signed/);
  const jwt = createTokenProvider({ authToken: `jwt,sign-method=HS512,priv-key=${secret},colour=blue`, simpleTtlMs: 1000, clock: Date.now, logger });
  assert.equal(jwt.kind, 'jwt');
  assert.equal(jwt.newPrefix(), '');
  assert.equal(jwt.indexNeeded('x.y.z'), 0);
  assert.match(lines.join('\n'), /unknown JWT options.*colour/);
});
