// Checks for external tools (etcd, etcdctl) that end-to-end tests need. A missing tool skips the test on a
// developer machine but fails it on CI (CI=true), where a missing tool means a broken image, not an optional check.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';

/** Finds an executable by absolute path or on PATH; undefined when it is missing. */
export function findTool(name: string): string | undefined {
  const candidates = path.isAbsolute(name)
    ? [name]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((folder) => path.join(folder, name));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Checks that a tool exists. When it is missing: throws when CI=true (a broken image must fail the run), else
 * marks the test skipped (when given its context) and returns false so the test can return early.
 */
export function requireTool(name: string, context?: TestContext): boolean {
  if (findTool(name) !== undefined) return true;
  const message = `required tool not found: ${name}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true, so this fails instead of skipping)`);
  context?.skip(message);
  return false;
}

/** For node:test's `skip` option: false when `name` is installed, else the reason to skip (throws on CI). */
export function skipUnlessInstalled(name: string): false | string {
  return requireTool(name) ? false : `required tool not found: ${name}`;
}
