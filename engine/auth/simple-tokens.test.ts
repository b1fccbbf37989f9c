import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newTokenPrefix, SimpleTokens, tokenIndex } from './simple-tokens.ts';

test('a token is a random 16-letter prefix and the log index of its Authenticate entry', () => {
  const prefix = newTokenPrefix();
  assert.match(prefix, /^[a-zA-Z]{16}$/);
  assert.notEqual(prefix, newTokenPrefix());
  const tokens = new SimpleTokens(1000, () => 0);
  const token = tokens.assign(prefix, 42, 'alice');
  assert.equal(token, `${prefix}.42`);
  assert.equal(tokenIndex(token), 42);
  assert.equal(tokenIndex('no-index'), undefined);
  assert.equal(tokens.username(token), 'alice');
  assert.equal(tokens.username(`${prefix}.43`), undefined);
});

test('a token expires a TTL after its last use, and each use restarts the TTL', () => {
  let now = 0;
  const tokens = new SimpleTokens(300_000, () => now);
  const token = tokens.assign('abcdefghijklmnop', 1, 'alice');
  now = 299_000;
  assert.equal(tokens.username(token), 'alice');
  now = 598_000;
  assert.equal(tokens.username(token), 'alice');
  now = 898_000;
  assert.equal(tokens.username(token), undefined);
});

test("invalidating a user drops only that user's tokens; clear drops all", () => {
  const tokens = new SimpleTokens(1000, () => 0);
  const alice = tokens.assign('aaaaaaaaaaaaaaaa', 1, 'alice');
  const bob = tokens.assign('bbbbbbbbbbbbbbbb', 2, 'bob');
  tokens.invalidateUser('alice');
  assert.equal(tokens.username(alice), undefined);
  assert.equal(tokens.username(bob), 'bob');
  tokens.clear();
  assert.equal(tokens.username(bob), undefined);
});
