/**
 * The accreditation context as its HTTP routes call it: the interface generated from
 * proto/observa/accreditation/v1/accreditation.proto (npm run proto), with Promises. Standalone,
 * ACCREDITATION is bound to the use cases in this process (accreditation.service.ts); at the gateway, to
 * the gRPC client of the accreditation process (libs/contracts RemoteContext.service).
 */
import type { Promised } from '#contracts';
import type { AccreditationServiceController } from '#proto/observa/accreditation/v1/accreditation';

export type Accreditation = Promised<AccreditationServiceController>;

/** The token the routes inject `Accreditation` by. */
export const ACCREDITATION = Symbol('Accreditation');
