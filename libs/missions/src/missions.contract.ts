/**
 * The missions context as its HTTP routes call it: the interface generated from
 * proto/observa/missions/v1/missions.proto (npm run proto), with Promises. Standalone, MISSIONS is bound
 * to the use cases in this process (missions.service.ts); at the gateway, to the gRPC client of the
 * missions process (libs/contracts RemoteContext.service).
 */
import type { Promised } from '#contracts';
import type { MissionsServiceController } from '#proto/observa/missions/v1/missions';

export type Missions = Promised<MissionsServiceController>;

/** The token the routes inject `Missions` by. */
export const MISSIONS = Symbol('Missions');
