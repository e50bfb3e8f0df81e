/**
 * TRANSPORT ADAPTER for screen-application, to be replaced by the interface generated from proto/:
 * the command class the route sends (and the gRPC tunnel carries), and its handler, which stamps the
 * time and calls the use case.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, PERSONAL_DATA_VAULT, type EventStore, type PersonalDataVault } from '#event-sourcing';
import { AccreditationCommand } from '../bus-contract.js';
import { ACCREDITATION_CLOCK, type Clock } from '../clock.js';
import { writeResultOf, type WriteResult } from '../write-result.js';
import { screenApplication } from './screen-application.js';

export class ScreenApplication extends AccreditationCommand<{
  readonly missionId: string;
  readonly applicationId: string;
  readonly ruleSetId: string;
}> {}

@CommandHandler(ScreenApplication)
export class ScreenApplicationHandler implements ICommandHandler<ScreenApplication> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ payload, context }: ScreenApplication): Promise<WriteResult> {
    const at = this.clock().toISOString();
    return writeResultOf(
      payload.applicationId,
      await screenApplication(this.store, this.vault, { ...payload, at, context }),
    );
  }
}
