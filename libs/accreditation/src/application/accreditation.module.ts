/**
 * The accreditation context in a host process: HTTP routes to the CommandBus and QueryBus, handlers on
 * the event store, the personal data vault on the shared pool, and the read models fed by the host's
 * projection transport.
 */
import { Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import {
  keyEncryptionKeyStoreFor,
  PERSONAL_DATA_VAULT,
  PostgresPersonalDataVault,
  sqlOnPool,
  transactionsOnPool,
} from '#event-sourcing';
import type { Database } from '#eventstore-postgres';
import { AppConfig, DATABASE, ProjectionHost, ReadModelTables } from '#platform';
import { ACCREDITATION_CLOCK, AccreditationDesk } from './accreditation-desk.js';
import { ApplicationsController } from './applications.controller.js';
import { COMMAND_HANDLERS } from './command-handlers.js';
import { ImportJobRunner } from './import-job-runner.js';
import { ImportJobs } from './import-jobs.js';
import { ImportsController } from './imports.controller.js';
import { ObserversController } from './observers.controller.js';
import { PersonsController } from './persons.controller.js';
import { QUERY_HANDLERS } from './query-handlers.js';
import { ACCREDITATION_READ_MODEL_TABLES } from './read-model.tables.js';
import { accreditationProjection, ApplicationRow, RuleSetRow } from './read-models.js';
import { RuleSetsController } from './rule-sets.controller.js';

@Module({
  imports: [
    CqrsModule.forRoot(),
    ReadModelTables.forFeature([ApplicationRow, RuleSetRow], ACCREDITATION_READ_MODEL_TABLES),
  ],
  controllers: [
    RuleSetsController,
    ApplicationsController,
    ImportsController,
    ObserversController,
    PersonsController,
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
    AccreditationDesk,
    ImportJobRunner,
    ...COMMAND_HANDLERS,
    ...QUERY_HANDLERS,
  ],
  exports: [PERSONAL_DATA_VAULT],
})
export class AccreditationModule implements OnModuleInit {
  constructor(private readonly projections: ProjectionHost) {}

  onModuleInit(): void {
    this.projections.register(accreditationProjection());
  }
}
