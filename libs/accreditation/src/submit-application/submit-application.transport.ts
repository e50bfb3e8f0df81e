/**
 * TRANSPORT ADAPTER for submit-application, to be replaced by the interface generated from proto/:
 * the command class the route sends (and the gRPC tunnel carries), and its handler, which stamps the
 * time and calls the use case.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, PERSONAL_DATA_VAULT, type EventStore, type PersonalDataVault } from '#event-sourcing';
import { AccreditationCommand } from '../bus-contract.js';
import { ACCREDITATION_CLOCK, type Clock } from '../clock.js';
import type { ObserverRole, PersonalData } from '../domain/application.js';
import { writeResultOf, type WriteResult } from '../write-result.js';
import { submitApplication } from './submit-application.js';

export class SubmitApplicationCommand extends AccreditationCommand<{
  readonly missionId: string;
  readonly delegation: string;
  readonly role: ObserverRole;
  /** Plaintext here; sealed with the person's key before it is written. */
  readonly person: PersonalData;
}> {}

@CommandHandler(SubmitApplicationCommand)
export class SubmitApplicationHandler implements ICommandHandler<SubmitApplicationCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ payload, context }: SubmitApplicationCommand): Promise<WriteResult> {
    const at = this.clock().toISOString();
    const { applicationId, result } = await submitApplication(this.store, this.vault, {
      ...payload,
      at,
      context,
    });
    return writeResultOf(applicationId, result);
  }
}
