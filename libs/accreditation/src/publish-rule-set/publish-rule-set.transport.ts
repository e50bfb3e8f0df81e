/**
 * TRANSPORT ADAPTER for publish-rule-set, to be replaced by the interface generated from proto/:
 * the command class the route sends (and the gRPC tunnel carries), and its handler, which stamps the
 * time and calls the use case.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { AccreditationCommand } from '../bus-contract.js';
import { ACCREDITATION_CLOCK, type Clock } from '../clock.js';
import { writeResultOf, type WriteResult } from '../write-result.js';
import { publishRuleSet } from './publish-rule-set.js';

/** `ruleSet` is data as the secretariat sent it; it is validated before anything is written. */
export class PublishRuleSet extends AccreditationCommand<{
  readonly missionId: string;
  readonly ruleSet: unknown;
}> {}

@CommandHandler(PublishRuleSet)
export class PublishRuleSetHandler implements ICommandHandler<PublishRuleSet> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ payload, context }: PublishRuleSet): Promise<WriteResult> {
    const at = this.clock().toISOString();
    const { ruleSetId, result } = await publishRuleSet(this.store, { ...payload, at, context });
    return writeResultOf(ruleSetId, result);
  }
}
