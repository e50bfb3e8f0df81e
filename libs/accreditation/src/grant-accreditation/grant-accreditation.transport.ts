/**
 * TRANSPORT ADAPTER for grant-accreditation, to be replaced by the interface generated from proto/:
 * the command class the route sends (and the gRPC tunnel carries), and its handler, which stamps the
 * time and calls the use case.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { AccreditationCommand } from '../bus-contract.js';
import { ACCREDITATION_CLOCK, type Clock } from '../clock.js';
import type { WriteResult } from '../write-result.js';
import { grantAccreditation } from './grant-accreditation.js';

export class GrantAccreditationCommand extends AccreditationCommand<{
  readonly missionId: string;
  readonly applicationId: string;
  readonly badgeNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly conditions: string[];
}> {}

@CommandHandler(GrantAccreditationCommand)
export class GrantAccreditationHandler implements ICommandHandler<GrantAccreditationCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
  ) {}

  execute({ payload, context }: GrantAccreditationCommand): Promise<WriteResult> {
    return grantAccreditation(this.store, { ...payload, at: this.clock().toISOString(), context });
  }
}
