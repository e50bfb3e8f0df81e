/**
 * The accreditation context in a host process: one folder per use case (its route and its use case), one
 * folder per read model (its projection, queries and routes), its interface bound to the use cases
 * (ACCREDITATION), the personal data vault on the shared pool, and the read models fed by the host's
 * projection transport.
 */
import { Module, type OnModuleInit } from '@nestjs/common';
import {
  keyEncryptionKeyStoreFor,
  PERSONAL_DATA_VAULT,
  PostgresPersonalDataVault,
  sqlOnPool,
  transactionsOnPool,
} from '#event-sourcing';
import type { Database } from '#eventstore-postgres';
import { AppConfig, DATABASE, ProjectionHost, ReadModelTables } from '#platform';
import { ApplicationsRoutes } from './applications-view/applications.http.js';
import { ACCREDITATION_READ_MODEL_TABLES } from './applications-view/read-model.tables.js';
import {
  accreditationProjection,
  ApplicationRow,
  RuleSetRow,
} from './applications-view/applications.projection.js';
import { ACCREDITATION } from './accreditation.contract.js';
import { AccreditationService } from './accreditation.service.js';
import { ACCREDITATION_CLOCK } from './clock.js';
import { ErasePersonRoute } from './erase-person/erase-person.http.js';
import { GrantAccreditationRoute } from './grant-accreditation/grant-accreditation.http.js';
import { ImportApplicationsRoute } from './imports/import-applications.http.js';
import { ImportJobRunner } from './imports/import-job-runner.js';
import { ImportJobs } from './imports/import-jobs.js';
import { ImportJobsRoute } from './imports/import-jobs.http.js';
import { ObserversRoutes } from './observers-view/observers.http.js';
import { PublishRuleSetRoute } from './publish-rule-set/publish-rule-set.http.js';
import { RuleSetsRoutes } from './rule-sets-view/rule-sets.http.js';
import { ScreenApplicationRoute } from './screen-application/screen-application.http.js';
import { SubmitApplicationRoute } from './submit-application/submit-application.http.js';
import { TakeApplicationStepRoutes } from './take-application-step/take-application-step.http.js';

@Module({
  imports: [
    ReadModelTables.forFeature([ApplicationRow, RuleSetRow], ACCREDITATION_READ_MODEL_TABLES),
  ],
  controllers: [
    PublishRuleSetRoute,
    RuleSetsRoutes,
    SubmitApplicationRoute,
    ImportApplicationsRoute,
    ApplicationsRoutes,
    ScreenApplicationRoute,
    TakeApplicationStepRoutes,
    GrantAccreditationRoute,
    ImportJobsRoute,
    ObserversRoutes,
    ErasePersonRoute,
  ],
  providers: [
    {
      provide: PERSONAL_DATA_VAULT,
      inject: [DATABASE, AppConfig],
      useFactory: async (database: Database, config: AppConfig) => {
        const keys = keyEncryptionKeyStoreFor({
          kekFile: config.kekFile,
          dataDir: config.dataDir,
          server: !database.embedded,
        });
        const vault = new PostgresPersonalDataVault(
          sqlOnPool(database.pool),
          transactionsOnPool(database.pool),
          keys,
        );
        await vault.prepare();
        return vault;
      },
    },
    { provide: ACCREDITATION_CLOCK, useValue: () => new Date() },
    {
      provide: ImportJobs,
      inject: [DATABASE],
      useFactory: async (database: Database) => {
        const jobs = new ImportJobs(sqlOnPool(database.pool));
        await jobs.prepare(transactionsOnPool(database.pool));
        return jobs;
      },
    },
    ImportJobRunner,
    { provide: ACCREDITATION, useClass: AccreditationService },
  ],
  // The accreditation process's gRPC controller (AccreditationService) needs what the use cases need.
  exports: [ACCREDITATION, PERSONAL_DATA_VAULT, ACCREDITATION_CLOCK, ImportJobs, ImportJobRunner, ReadModelTables],
})
export class AccreditationModule implements OnModuleInit {
  constructor(private readonly projections: ProjectionHost) {}

  onModuleInit(): void {
    this.projections.register(accreditationProjection());
  }
}
