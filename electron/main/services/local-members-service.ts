// Extra members of the local cluster: added on new ports (as a learner or a voter) and removed again, so the
// Cluster screen can walk through learner promotion end to end. Promotion itself is the ordinary
// `cluster.promoteMember` call, as for any cluster.
import type { LocalClusterService } from '../../common/contract.ts';
import type { LocalCluster } from '../supervisor/local-cluster.ts';
import { ServiceFailure, refuse, settle } from './call.ts';

/** The member methods of the local cluster service. */
export function createLocalMembersService(cluster: LocalCluster): Pick<LocalClusterService, 'addMember' | 'removeMember'> {
  const unavailable = (error: unknown): never => {
    if (error instanceof ServiceFailure) throw error;
    throw new ServiceFailure({ code: 'unavailable', message: (error as Error).message });
  };
  return {
    addMember: (args) => settle(() => cluster.addMember(args.asLearner).catch(unavailable)),
    removeMember: (args) => settle(() => {
      const member = cluster.state().members.find((candidate) => candidate.name === args.name);
      if (!member) refuse('not-found', `The local cluster has no member named ${args.name}.`);
      if (!member.joined) refuse('forbidden', `${args.name} is one of the members the local cluster was created with; only members added later can be removed here (a reset changes the size).`);
      return cluster.removeMember(args.name).catch(unavailable);
    }),
  };
}
