/**
 * The accreditation context's interface bound to its use cases in this process: what ACCREDITATION is
 * standalone, and what the accreditation process serves on gRPC under the controller decorators generated
 * from proto/observa/accreditation/v1/accreditation.proto. It reads the clock for every write. Over gRPC the
 * context's own named errors go out in the platform's terms (http-errors.ts) as Problems, so the edge
 * answers the same problem+json standalone (where the routes map them) and distributed.
 */
import { Catch, Controller, Inject, UseFilters, UseInterceptors, type ArgumentsHost } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ValidationFailed } from '#platform';
import type { CommandContext as CommandContextMessage } from '#proto/observa/common/v1/calls';
import { GrpcCorrelation, GrpcProblemFilter, receiptOf, type WriteReceipt } from '#contracts';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  EVENT_STORE,
  NotFound,
  PERSONAL_DATA_VAULT,
  type EventStore,
  type PersonalDataVault,
} from '#event-sourcing';
import {
  ACCREDITATION_SERVICE_NAME,
  AccreditationServiceControllerMethods,
  type ApproveApplicationRequest,
  type ErasePersonRequest,
  type FindBadgeRequest,
  type GetApplicationRequest,
  type GetImportJobRequest,
  type ListApplicationsRequest,
  type ListObserversRequest,
  type ListRuleSetsRequest,
  type ExpireAccreditationRequest,
  type GrantAccreditationRequest,
  type ImportApplicationsRequest,
  type ImportApplicationsResponse,
  type PublishRuleSetRequest,
  type RefuseAccreditationRequest,
  type ReinstateAccreditationRequest,
  type RejectApplicationRequest,
  type RequestAccreditationRequest,
  type RevokeAccreditationRequest,
  type ScreenApplicationRequest,
  type SubmitApplicationRequest,
  type SuspendAccreditationRequest,
} from '#proto/observa/accreditation/v1/accreditation';
import { ACCREDITATION, type Accreditation } from './accreditation.contract.js';
import { ApplicationRow, RuleSetRow } from './applications-view/applications.projection.js';
import { getApplication, listApplications } from './applications-view/queries.js';
import { ACCREDITATION_CLOCK, type Clock } from './clock.js';
import type { ObserverRole } from './domain/application.js';
import { erasePerson } from './erase-person/erase-person.js';
import { grantAccreditation } from './grant-accreditation/grant-accreditation.js';
import { httpErrorOf } from './http-errors.js';
import { importApplications, type ImportFormat } from './imports/import-applications.js';
import { ImportJobRunner } from './imports/import-job-runner.js';
import { importJobMessageOf } from './imports/import-job.message.js';
import { ImportJobs } from './imports/import-jobs.js';
import { getImportJob } from './imports/import-queries.js';
import { findBadge, listObservers } from './observers-view/queries.js';
import { InvalidRuleSet, publishRuleSet } from './publish-rule-set/publish-rule-set.js';
import { listRuleSets } from './rule-sets-view/queries.js';
import { screenApplication } from './screen-application/screen-application.js';
import { personOf } from './submit-application/person.message.js';
import { submitApplication } from './submit-application/submit-application.js';
import { takeApplicationStep, type ApplicationStep } from './take-application-step/take-application-step.js';
import { commandContextOf } from './command-context.js';

/** The context's own named errors in the platform's terms, then as every context answers them. */
@Catch()
export class AccreditationProblemFilter extends GrpcProblemFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    return super.catch(httpErrorOf(exception), host);
  }
}

/**
 * One class for both: standalone it is only a provider (the controller decorators do nothing there); the
 * accreditation process registers it as its gRPC controller, where each method answers its rpc, named
 * errors become statuses with their Problem, and each call runs under the correlation id its request
 * carries.
 */
@Controller()
@AccreditationServiceControllerMethods()
@UseFilters(AccreditationProblemFilter)
@UseInterceptors(GrpcCorrelation)
export class AccreditationService implements Accreditation {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
    @InjectRepository(ApplicationRow) private readonly applications: Repository<ApplicationRow>,
    @InjectRepository(RuleSetRow) private readonly ruleSets: Repository<RuleSetRow>,
    @Inject(ImportJobs) private readonly jobs: ImportJobs,
    @Inject(ImportJobRunner) private readonly runner: ImportJobRunner,
  ) {}

  async publishRuleSet(request: PublishRuleSetRequest): Promise<WriteReceipt> {
    const context = commandContextOf(request.context);
    const { ruleSetId, result } = await publishRuleSet(this.store, {
      missionId: context.missionId,
      ruleSet: ruleSetOf(request.ruleSetJson),
      at: this.now(),
      context,
    });
    return receiptOf(ruleSetId, result);
  }

  async submitApplication(request: SubmitApplicationRequest): Promise<WriteReceipt> {
    const context = commandContextOf(request.context);
    const { applicationId, result } = await submitApplication(this.store, this.vault, {
      missionId: context.missionId,
      delegation: request.delegation,
      // The decider and the eligibility rules refuse what they do not know.
      role: request.role as ObserverRole,
      person: personOf(request.person),
      at: this.now(),
      context,
    });
    return receiptOf(applicationId, result);
  }

  async importApplications(request: ImportApplicationsRequest): Promise<ImportApplicationsResponse> {
    const context = commandContextOf(request.context);
    if (request.format !== 'csv' && request.format !== 'xlsx')
      throw new ValidationFailed([{ field: 'format', message: 'format must be csv or xlsx' }]);
    const job = await importApplications(this.jobs, this.runner, {
      missionId: context.missionId,
      format: request.format satisfies ImportFormat,
      content: Buffer.from(request.content),
      context,
    });
    return { job: importJobMessageOf(job) };
  }

  async screenApplication(request: ScreenApplicationRequest): Promise<WriteReceipt> {
    const context = commandContextOf(request.context);
    const result = await screenApplication(this.store, this.vault, {
      missionId: context.missionId,
      applicationId: request.applicationId,
      ruleSetId: request.ruleSetId,
      at: this.now(),
      context,
    });
    return receiptOf(request.applicationId, result);
  }

  approveApplication(request: ApproveApplicationRequest): Promise<WriteReceipt> {
    return this.step(request, {
      type: 'ApproveApplication',
      ...(request.reason && { reason: request.reason }),
    });
  }
  rejectApplication(request: RejectApplicationRequest): Promise<WriteReceipt> {
    return this.step(request, { type: 'RejectApplication', reason: request.reason });
  }
  requestAccreditation(request: RequestAccreditationRequest): Promise<WriteReceipt> {
    return this.step(request, { type: 'RequestAccreditation', hostBody: request.hostBody });
  }
  refuseAccreditation(request: RefuseAccreditationRequest): Promise<WriteReceipt> {
    return this.step(request, { type: 'RefuseAccreditation', reason: request.reason });
  }
  suspendAccreditation(request: SuspendAccreditationRequest): Promise<WriteReceipt> {
    return this.step(request, { type: 'SuspendAccreditation', reason: request.reason });
  }
  reinstateAccreditation(request: ReinstateAccreditationRequest): Promise<WriteReceipt> {
    return this.step(request, { type: 'ReinstateAccreditation' });
  }
  revokeAccreditation(request: RevokeAccreditationRequest): Promise<WriteReceipt> {
    return this.step(request, { type: 'RevokeAccreditation', reason: request.reason });
  }
  expireAccreditation(request: ExpireAccreditationRequest): Promise<WriteReceipt> {
    return this.step(request, { type: 'ExpireAccreditation' });
  }

  async grantAccreditation(request: GrantAccreditationRequest): Promise<WriteReceipt> {
    const context = commandContextOf(request.context);
    return grantAccreditation(this.store, {
      missionId: context.missionId,
      applicationId: request.applicationId,
      badgeNumber: request.badgeNumber,
      validFrom: request.validFrom,
      validTo: request.validTo,
      conditions: request.conditions,
      at: this.now(),
      context,
    });
  }

  async erasePerson(request: ErasePersonRequest): Promise<WriteReceipt> {
    const context = commandContextOf(request.context);
    const { missionId } = context;
    const { personId } = request;
    const rows = await this.applications.find({
      where: { missionId, personId },
      select: { applicationId: true },
    });
    if (rows.length === 0) throw new NotFound(`there is no person ${personId} in this mission`);
    const { results } = await erasePerson(this.store, this.vault, {
      missionId,
      personId,
      applicationIds: rows.map((row) => row.applicationId),
      at: this.now(),
      context,
    });
    return {
      id: personId,
      streamVersion: results.at(-1)!.streamVersion.toString(),
      eventIds: results.flatMap((result) => [...result.eventIds]),
      appended: results.some((result) => result.appended),
    };
  }

  listRuleSets(request: ListRuleSetsRequest) {
    return listRuleSets(this.ruleSets, request);
  }
  listApplications(request: ListApplicationsRequest) {
    return listApplications(this.applications, this.vault, request);
  }
  getApplication(request: GetApplicationRequest) {
    return getApplication(this.applications, this.vault, request);
  }
  listObservers(request: ListObserversRequest) {
    return listObservers(this.applications, this.vault, request);
  }
  findBadge(request: FindBadgeRequest) {
    return findBadge(this.applications, this.vault, request);
  }
  getImportJob(request: GetImportJobRequest) {
    return getImportJob(this.jobs, request);
  }

  private async step(
    request: { readonly context?: CommandContextMessage; readonly applicationId: string },
    step: ApplicationStep,
  ): Promise<WriteReceipt> {
    const context = commandContextOf(request.context);
    const result = await takeApplicationStep(this.store, {
      missionId: context.missionId,
      applicationId: request.applicationId,
      step,
      at: this.now(),
      context,
    });
    return receiptOf(request.applicationId, result);
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** The rule set the caller wrote: the use case validates it and names every problem. */
const ruleSetOf = (json: string): unknown => {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new InvalidRuleSet([{ at: '', problem: 'is not a JSON document' }]);
  }
};

/** What the hosts need to serve and to reach the accreditation context (libs/contracts ContextDefinition.service). */
export const accreditationService = {
  token: ACCREDITATION,
  name: ACCREDITATION_SERVICE_NAME,
  controller: AccreditationService,
} as const;
