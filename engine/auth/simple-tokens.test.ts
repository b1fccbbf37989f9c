import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newTokenPrefix, SimpleTokens, tokenIndex } from './simple-tokens.ts';

test('a token is a random 16-letter prefix and the log index of its Authenticate entry', () => {
  const prefix = newTokenPrefix();
  assert.match(prefix, /^[a-zA-Z]{16}$/);
  assert.notEqual(prefix, newTokenPrefix());
  const tokens = new SimpleTokens(1000, () => 0);
  const token = tokens.assign('alice', 7, prefix, 42);
  assert.equal(token, `${prefix}.42`);
  assert.equal(tokenIndex(token), 42);
  assert.equal(tokenIndex('no-index'), undefined);
  assert.equal(tokens.username(token), 'alice');
  assert.equal(tokens.username(`${prefix}.43`), undefined);
});

test('a token expires a TTL after its last use, and each use restarts the TTL', () => {
  let now = 0;
  const tokens = new SimpleTokens(300_000, () => now);
  const token = tokens.assign('alice', 7, 'abcdefghijklmnop', 1);
  now = 299_000;
  assert.equal(tokens.username(token), 'alice');
  now = 598_000;
  assert.equal(tokens.username(token), 'alice');
  now = 898_000;
  assert.equal(tokens.username(token), undefined);
});

test("invalidating a user drops only that user's tokens; disabling auth drops all", () => {
  const tokens = new SimpleTokens(1000, () => 0);
  const alice = tokens.assign('alice', 7, 'aaaaaaaaaaaaaaaa', 1);
  const bob = tokens.assign('bob', 7, 'bbbbbbbbbbbbbbbb', 2);
  tokens.invalidateUser('alice');
  assert.equal(tokens.username(alice), undefined);
  assert.equal(tokens.username(bob), 'bob');
  tokens.disable();
  assert.equal(tokens.username(bob), undefined);
});

test('a simple token needs its Authenticate entry applied before a member can judge it, and carries the current revision', () => {
  const tokens = new SimpleTokens(1000, () => 0);
  assert.equal(tokens.indexNeeded('abcdefghijklmnop.42'), 42);
  assert.equal(tokens.indexNeeded('not-a-simple-token'), 0);
  const token = tokens.assign('alice', 3, tokens.newPrefix(), 42);
  assert.deepEqual(tokens.info(token, 9), { username: 'alice', revision: 9 });
  assert.equal(tokens.info('abcdefghijklmnop.43', 9), undefined);
});
