/**
 * The accreditation context in a host process: HTTP routes to the CommandBus and QueryBus, handlers on
 * the event store, the personal data vault on the shared pool, and the read models fed by the host's
 * projection transport.
 */
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { PERSONAL_DATA_VAULT, PostgresPersonalDataVault, sqlInTransaction, sqlOnPool } from '#event-sourcing';
import type { Database } from '#eventstore-postgres';
import { DATABASE, ProjectionHost } from '#platform';
import { ACCREDITATION_CLOCK, AccreditationDesk } from './accreditation-desk.js';
import { ApplicationsController } from './applications.controller.js';
import { COMMAND_HANDLERS } from './command-handlers.js';
import { ImportJobRunner } from './import-job-runner.js';
import { ImportJobs } from './import-jobs.js';
import { ImportsController } from './imports.controller.js';
import { ObserversController } from './observers.controller.js';
import { PersonsController } from './persons.controller.js';
import { QUERY_HANDLERS } from './query-handlers.js';
import { accreditationProjection, ApplicationRow, RuleSetRow } from './read-models.js';
import { RuleSetsController } from './rule-sets.controller.js';

@Module({
  imports: [CqrsModule.forRoot(), TypeOrmModule.forFeature([ApplicationRow, RuleSetRow])],
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
      inject: [DATABASE],
      useFactory: async (database: Database) => {
        const vault = new PostgresPersonalDataVault(sqlOnPool(database.pool));
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
        await jobs.prepare();
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
  constructor(
    private readonly projections: ProjectionHost,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PostgresPersonalDataVault,
  ) {}

  onModuleInit(): void {
    this.projections.register(
      accreditationProjection((tx: EntityManager) => this.vault.within(sqlInTransaction(tx))),
    );
  }
}
