/**
 * TRANSPORT ADAPTER for erase-person, to be replaced by the interface generated from proto/: the
 * command class the route sends (and the gRPC tunnel carries), and its handler, which finds the
 * person's applications in the applications view, stamps the time and calls the use case.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  EVENT_STORE,
  NotFound,
  PERSONAL_DATA_VAULT,
  type EventStore,
  type PersonalDataVault,
} from '#event-sourcing';
import { ApplicationRow } from '../applications-view/applications.projection.js';
import { AccreditationCommand } from '../bus-contract.js';
import { ACCREDITATION_CLOCK, type Clock } from '../clock.js';
import type { WriteResult } from '../write-result.js';
import { erasePerson } from './erase-person.js';

export class ErasePersonCommand extends AccreditationCommand<{
  readonly missionId: string;
  readonly personId: string;
}> {}

@CommandHandler(ErasePersonCommand)
export class ErasePersonHandler implements ICommandHandler<ErasePersonCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
    @InjectRepository(ApplicationRow) private readonly applications: Repository<ApplicationRow>,
  ) {}

  async execute({ payload, context }: ErasePersonCommand): Promise<WriteResult> {
    const { missionId, personId } = payload;
    const rows = await this.applications.find({
      where: { missionId, personId },
      select: { applicationId: true },
    });
    if (rows.length === 0) throw new NotFound(`there is no person ${personId} in this mission`);
    const { results } = await erasePerson(this.store, this.vault, {
      missionId,
      personId,
      applicationIds: rows.map((r) => r.applicationId),
      at: this.clock().toISOString(),
      context,
    });
    return {
      id: personId,
      streamVersion: results.at(-1)!.streamVersion.toString(),
      eventIds: results.flatMap((r) => [...r.eventIds]),
      appended: results.some((r) => r.appended),
    };
  }
}
