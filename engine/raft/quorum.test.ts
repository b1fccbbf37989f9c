// Quorum arithmetic for majority and joint configurations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jointCommittedIndex, jointVoteResult, majorityCommittedIndex, majorityVoteResult, VoteResult } from './quorum.ts';

const set = (...ids: bigint[]) => new Set(ids);
const acked = (indexes: Record<string, number>) => (id: bigint) => indexes[String(id)];

test('the committed index is the highest index a majority has acknowledged', () => {
  assert.equal(majorityCommittedIndex(set(1n), acked({ 1: 7 })), 7);
  assert.equal(majorityCommittedIndex(set(1n, 2n, 3n), acked({ 1: 9, 2: 5, 3: 2 })), 5);
  assert.equal(majorityCommittedIndex(set(1n, 2n, 3n, 4n), acked({ 1: 9, 2: 5, 3: 4, 4: 2 })), 4);
  assert.equal(majorityCommittedIndex(set(1n, 2n, 3n), acked({ 1: 9 })), 0, 'unknown voters count as 0');
  assert.equal(majorityCommittedIndex(set(), acked({})), Number.POSITIVE_INFINITY);
});

test('a joint configuration commits the lower of its two majorities', () => {
  const voters = { incoming: set(1n, 2n, 3n), outgoing: set(1n, 4n, 5n) };
  assert.equal(jointCommittedIndex(voters, acked({ 1: 9, 2: 9, 3: 9, 4: 3, 5: 1 })), 3);
  assert.equal(jointCommittedIndex({ incoming: set(1n, 2n, 3n), outgoing: set() }, acked({ 1: 9, 2: 8, 3: 1 })), 8);
});

test('votes: won with a majority, lost when a majority is impossible, pending otherwise', () => {
  const voters = set(1n, 2n, 3n);
  assert.equal(majorityVoteResult(voters, new Map([[1n, true]])), VoteResult.Pending);
  assert.equal(majorityVoteResult(voters, new Map([[1n, true], [2n, true]])), VoteResult.Won);
  assert.equal(majorityVoteResult(voters, new Map([[1n, true], [2n, false], [3n, false]])), VoteResult.Lost);
  assert.equal(majorityVoteResult(voters, new Map([[4n, true], [5n, true]])), VoteResult.Pending, 'non-voters do not count');
  assert.equal(majorityVoteResult(set(), new Map()), VoteResult.Won);
});

test('a joint election needs both halves; losing either half loses', () => {
  const voters = { incoming: set(1n, 2n, 3n), outgoing: set(1n, 4n, 5n) };
  assert.equal(jointVoteResult(voters, new Map([[1n, true], [2n, true]])), VoteResult.Pending);
  assert.equal(jointVoteResult(voters, new Map([[1n, true], [2n, true], [4n, true]])), VoteResult.Won);
  assert.equal(jointVoteResult(voters, new Map([[1n, true], [2n, true], [4n, false], [5n, false]])), VoteResult.Lost);
});
