/**
 * TRANSPORT ADAPTER for take-application-step, to be replaced by the interface generated from proto/:
 * the command class the routes send (and the gRPC tunnel carries), and its handler, which stamps the
 * time and calls the use case.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { AccreditationCommand } from '../bus-contract.js';
import { ACCREDITATION_CLOCK, type Clock } from '../clock.js';
import { writeResultOf, type WriteResult } from '../write-result.js';
import { takeApplicationStep, type ApplicationStep } from './take-application-step.js';

export class TakeApplicationStep extends AccreditationCommand<{
  readonly missionId: string;
  readonly applicationId: string;
  readonly step: ApplicationStep;
}> {}

@CommandHandler(TakeApplicationStep)
export class TakeApplicationStepHandler implements ICommandHandler<TakeApplicationStep> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ payload, context }: TakeApplicationStep): Promise<WriteResult> {
    const at = this.clock().toISOString();
    return writeResultOf(
      payload.applicationId,
      await takeApplicationStep(this.store, { ...payload, at, context }),
    );
  }
}
