// The services answer with Result values instead of throwing (the IPC contract); a test that expects success
// unwraps them here, so a failure shows the service's own error code and message instead of a type error later.
import assert from 'node:assert/strict';
import type { Result } from '../../../electron/common/contract.ts';

/** The value of a successful result; fails the test with the error's code and message otherwise. */
export function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}
