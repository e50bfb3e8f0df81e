/** The CommandBus side of the context: each command class to the desk, answering plain data. */
import { randomUUID } from 'node:crypto';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { nameBasedUuid, NotFound } from '#event-sourcing';
import { ValidationFailed } from '#platform';
import type { RuleSet } from '../domain/eligibility.js';
import { validateRuleSet } from '../domain/eligibility.validate.js';
import { AccreditationDesk, replyOf } from './accreditation-desk.js';
import {
  ErasePersonCommand,
  GrantAccreditationCommand,
  ImportApplications,
  PublishRuleSet,
  ScreenApplication,
  SubmitApplicationCommand,
  TakeApplicationStep,
  type ImportJobView,
  type WriteResult,
} from './commands.js';
import { ApplicationRow } from './read-models.js';
import { ImportJobRunner } from './import-job-runner.js';
import { ImportJobs } from './import-jobs.js';
import { readRoster, RosterTooLarge, UnreadableRoster, unstorableCells } from './roster.js';

/** Rule set problems, named by where they are: the edge answers 400 with each of them. */
export class InvalidRuleSet extends Error {
  override readonly name = 'InvalidRuleSet';
  constructor(readonly problems: readonly { at: string; problem: string }[]) {
    super(
      `the rule set has problems: ${problems.map((p) => `${p.at || '(rule set)'}: ${p.problem}`).join('; ')}`,
    );
  }
}

@CommandHandler(PublishRuleSet)
export class PublishRuleSetHandler implements ICommandHandler<PublishRuleSet> {
  constructor(private readonly desk: AccreditationDesk) {}

  async execute({ payload, context }: PublishRuleSet): Promise<WriteResult> {
    const candidate = payload.ruleSet as Record<string, unknown> | null;
    const ruleSet =
      typeof candidate === 'object' &&
      candidate !== null &&
      !Array.isArray(candidate) &&
      candidate.missionId === undefined
        ? { ...candidate, missionId: payload.missionId }
        : candidate;
    const problems = validateRuleSet(ruleSet);
    if (problems.length > 0) throw new InvalidRuleSet(problems);
    if ((ruleSet as RuleSet).missionId !== payload.missionId)
      throw new InvalidRuleSet([{ at: 'missionId', problem: `must be this mission (${payload.missionId})` }]);
    const result = await this.desk.publishRuleSet(ruleSet as RuleSet, context);
    return replyOf((ruleSet as RuleSet).id, result);
  }
}

@CommandHandler(SubmitApplicationCommand)
export class SubmitApplicationHandler implements ICommandHandler<SubmitApplicationCommand> {
  constructor(private readonly desk: AccreditationDesk) {}

  async execute({ payload, context }: SubmitApplicationCommand): Promise<WriteResult> {
    const { missionId, ...application } = payload;
    const { applicationId, result } = await this.desk.submit(missionId, application, context);
    return replyOf(applicationId, result);
  }
}

@CommandHandler(ScreenApplication)
export class ScreenApplicationHandler implements ICommandHandler<ScreenApplication> {
  constructor(private readonly desk: AccreditationDesk) {}

  async execute({ payload, context }: ScreenApplication): Promise<WriteResult> {
    const { missionId, applicationId, ruleSetId } = payload;
    return replyOf(applicationId, await this.desk.screen(missionId, applicationId, ruleSetId, context));
  }
}

@CommandHandler(TakeApplicationStep)
export class TakeApplicationStepHandler implements ICommandHandler<TakeApplicationStep> {
  constructor(private readonly desk: AccreditationDesk) {}

  async execute({ payload, context }: TakeApplicationStep): Promise<WriteResult> {
    const { missionId, applicationId, step } = payload;
    return replyOf(applicationId, await this.desk.step(missionId, applicationId, { ...step }, context));
  }
}

@CommandHandler(GrantAccreditationCommand)
export class GrantAccreditationHandler implements ICommandHandler<GrantAccreditationCommand> {
  constructor(private readonly desk: AccreditationDesk) {}

  async execute({ payload, context }: GrantAccreditationCommand): Promise<WriteResult> {
    const { missionId, applicationId, ...grant } = payload;
    return replyOf(applicationId, await this.desk.grant(missionId, applicationId, grant, context));
  }
}

@CommandHandler(ErasePersonCommand)
export class ErasePersonHandler implements ICommandHandler<ErasePersonCommand> {
  constructor(
    private readonly desk: AccreditationDesk,
    @InjectRepository(ApplicationRow) private readonly applications: Repository<ApplicationRow>,
  ) {}

  async execute({ payload, context }: ErasePersonCommand): Promise<WriteResult> {
    const { missionId, personId } = payload;
    const rows = await this.applications.find({
      where: { missionId, personId },
      select: { applicationId: true },
    });
    if (rows.length === 0) throw new NotFound(`there is no person ${personId} in this mission`);
    const { results } = await this.desk.erase(
      missionId,
      personId,
      rows.map((r) => r.applicationId),
      context,
    );
    const last = results.at(-1)!;
    return {
      id: personId,
      streamVersion: last.streamVersion.toString(),
      eventIds: results.flatMap((r) => [...r.eventIds]),
      appended: results.some((r) => r.appended),
    };
  }
}

@CommandHandler(ImportApplications)
export class ImportApplicationsHandler implements ICommandHandler<ImportApplications> {
  constructor(
    private readonly jobs: ImportJobs,
    private readonly runner: ImportJobRunner,
  ) {}

  async execute({ payload, context }: ImportApplications): Promise<ImportJobView> {
    const { missionId, format } = payload;
    const content = Buffer.from(payload.content, 'base64');
    let rows;
    try {
      rows = await readRoster(format, content);
    } catch (error) {
      if (error instanceof UnreadableRoster) throw new BadRequestException(error.message);
      if (error instanceof RosterTooLarge) throw new PayloadTooLargeException(error.message);
      throw error;
    }
    const unstorable = unstorableCells(rows);
    if (unstorable.length > 0) throw new ValidationFailed(unstorable);
    const jobId = nameBasedUuid(`accreditation-import-job\n${context.commandId ?? randomUUID()}`);
    const { view, queued } = await this.jobs.queue({
      jobId,
      missionId,
      format,
      content,
      context,
      total: rows.length,
    });
    if (queued) this.runner.start(jobId, rows);
    return view;
  }
}

export const COMMAND_HANDLERS = [
  PublishRuleSetHandler,
  SubmitApplicationHandler,
  ScreenApplicationHandler,
  TakeApplicationStepHandler,
  GrantAccreditationHandler,
  ErasePersonHandler,
  ImportApplicationsHandler,
];
