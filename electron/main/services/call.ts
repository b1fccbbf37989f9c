// The one place service methods turn thrown errors into Result values, so no failure crosses IPC as a rejected
// promise (which would lose its code) and none is swallowed.
import type { CairnError, Result } from '../../common/contract.ts';
import { ok } from '../../common/result.ts';
import { toCairnError } from '../etcd/etcd-error.ts';

/** An error that already carries the contract's code and plain words. */
export class ServiceFailure extends Error {
  /** A failure with `error` as its Result error. */
  constructor(readonly error: CairnError) {
    super(error.message);
  }
}

/** Throws a ServiceFailure (for use inside `settle`). */
export function refuse(code: CairnError['code'], message: string, detail?: string): never {
  throw new ServiceFailure(detail === undefined ? { code, message } : { code, message, detail });
}

/** Runs `work` and wraps its outcome in a Result; gRPC errors are explained, others reported as internal. */
export async function settle<T>(work: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return ok(await work());
  } catch (error) {
    if (error instanceof ServiceFailure) return { ok: false, error: error.error };
    return { ok: false, error: toCairnError(error) };
  }
}
