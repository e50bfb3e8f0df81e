/** The missions context in a host: its HTTP routes, command and query handlers, and read model. */
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ProjectionHost, ReadModelTables } from '#platform';
import { MISSIONS_READ_MODEL_TABLES } from './mission.tables.js';
import { MISSION_COMMAND_HANDLERS, MissionStreams } from './mission-commands.handlers.js';
import { MISSION_QUERY_HANDLERS } from './mission-queries.handlers.js';
import { MissionView, missionsProjection } from './mission.read-model.js';
import { MissionsController } from './missions.controller.js';

@Module({
  imports: [ReadModelTables.forFeature([MissionView], MISSIONS_READ_MODEL_TABLES)],
  controllers: [MissionsController],
  providers: [MissionStreams, ...MISSION_COMMAND_HANDLERS, ...MISSION_QUERY_HANDLERS],
})
export class MissionsModule implements OnModuleInit {
  constructor(@Inject(ProjectionHost) private readonly projections: ProjectionHost) {}

  onModuleInit(): void {
    this.projections.register(missionsProjection);
  }
}
