/**
 * The tables of the missions read model (missions-view.projection.ts), as migrations. A new column is a new
 * migration; `read-model-tables.pg.spec.ts` (libs/platform) fails while these and the entities differ.
 * IF NOT EXISTS: databases made before migrations had the same tables from TypeORM's synchronize.
 */
import type { MigrationSet } from '#platform';

export const MISSIONS_READ_MODEL_TABLES: MigrationSet = {
  owner: 'missions-read-models',
  migrations: [
    {
      version: 1,
      name: 'missions_view',
      sql: `
        CREATE TABLE IF NOT EXISTS "missions_view" (
          "mission_id" text NOT NULL, "name" text NOT NULL, "organisation" text NOT NULL,
          "host_country" text NOT NULL, "election" jsonb NOT NULL, "status" text NOT NULL,
          "delegations" jsonb NOT NULL, "staff" jsonb NOT NULL,
          "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE,
          "stream_version" bigint NOT NULL,
          CONSTRAINT "PK_ac49f97f0c2f8d660683e3a7bdc" PRIMARY KEY ("mission_id"));`,
    },
  ],
};
