/** Everything in one process (DESIGN.md §4, standalone): the shared HTTP edge and the embedded event store. */
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccreditationModule } from '#accreditation';
import { IdentityModule } from '#auth';
import { MissionsModule } from '#missions';
import {
  AppConfigModule,
  EventStoreModule,
  HealthModule,
  MetricsModule,
  ProjectionsModule,
  ReadModelsModule,
  type AppConfig,
} from '#platform';

@Module({})
export class AppModule {
  /** `feedProjections: false` for one-off commands (a rebuild) that must not race the read models. */
  static forRoot(config: AppConfig, options: { feedProjections?: boolean } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        MetricsModule,
        EventStoreModule.forRoot(config),
        ReadModelsModule,
        ProjectionsModule.inProcess({ feed: options.feedProjections ?? true }),
        HealthModule,
        CqrsModule.forRoot(),
        IdentityModule.forRoot(config),
        MissionsModule,
        AccreditationModule,
      ],
    };
  }
}
