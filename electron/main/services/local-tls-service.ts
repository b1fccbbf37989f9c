// The TLS wizard's calls on the local cluster: where its certificates are, and turning TLS with client-certificate
// auth on or off. The switch restarts members one by one (supervisor/local-cluster.ts says how); each step goes
// to the renderer as progress under its operation id, so the wizard can show what is happening.
import type { LocalClusterService, OperationProgress } from '../../common/contract.ts';
import type { LocalTls } from '../local-tls/local-tls.ts';
import type { LocalCluster } from '../supervisor/local-cluster.ts';
import type { Emitter } from '../util/emitter.ts';
import { ServiceFailure, settle } from './call.ts';

/** The TLS methods of the local cluster service. */
export function createLocalTlsService(cluster: LocalCluster, tls: LocalTls, progress: Emitter<OperationProgress>): Pick<LocalClusterService, 'tls' | 'setTls'> {
  return {
    tls: () => settle(() => tls.state()),
    setTls: (args) => settle(async () => {
      const report = (phase: OperationProgress['phase'], step: string): void =>
        progress.fire({ operationId: args.operationId, kind: 'tls', phase, step, bytesDone: 0, bytesTotal: null });
      try {
        await cluster.setTls(args.enabled, (step) => report('running', step));
      } catch (error) {
        report('failed', (error as Error).message);
        if (error instanceof ServiceFailure) throw error;
        throw new ServiceFailure({
          code: 'unavailable',
          message: `The local cluster could not ${args.enabled ? 'switch to TLS' : 'switch back to plain connections'}: ${(error as Error).message}`,
        });
      }
      report('done', args.enabled ? 'The local cluster now requires TLS with a client certificate.' : 'The local cluster serves plain connections again.');
      return tls.state();
    }),
  };
}
