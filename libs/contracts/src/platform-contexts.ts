/**
 * The contexts of the distributed platform and where each library exports what the hosts need. The
 * gateway reaches them all; apps/<context> hosts one (here, not in an app: no app imports another's
 * files). Ports as in scripts/distributed.sh.
 */
import type { ContextSource } from './context-definition.js';

export const missions: ContextSource = {
  name: 'missions',
  library: '#missions',
  load: () => import('#missions'),
  module: 'MissionsModule',
  service: 'missionsService',
  categories: ['mission'],
  defaultGrpcUrl: '127.0.0.1:50051',
};

export const accreditation: ContextSource = {
  name: 'accreditation',
  library: '#accreditation',
  load: () => import('#accreditation'),
  module: 'AccreditationModule',
  service: 'accreditationService',
  categories: ['application', 'ruleset', 'badge'],
  defaultGrpcUrl: '127.0.0.1:50052',
};
