import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateBudget } from './rate-budget.ts';

test('starts with the burst, refills at the rate, never above the burst', () => {
  const budget = new RateBudget(100, 50);
  assert.equal(budget.available(0), 50);
  budget.spend(50);
  assert.equal(budget.available(100), 10);
  assert.equal(budget.available(10_000), 50);
});

test('a clock stepping backwards earns nothing', () => {
  const budget = new RateBudget(100, 50);
  budget.available(1000);
  budget.spend(50);
  assert.equal(budget.available(500), 0);
  assert.equal(budget.available(600), 10);
});

test('spending more than available is a bug', () => {
  const budget = new RateBudget(10, 5);
  assert.throws(() => budget.spend(6));
});
