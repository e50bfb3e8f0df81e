/**
 * The tables of the accreditation read models (applications.projection.ts), as migrations. A new column is a new
 * migration; `read-model-tables.pg.spec.ts` (libs/platform) fails while these and the entities differ.
 * IF NOT EXISTS: databases made before migrations had the same tables from TypeORM's synchronize.
 */
import type { MigrationSet } from '#platform';

export const ACCREDITATION_READ_MODEL_TABLES: MigrationSet = {
  owner: 'accreditation-read-models',
  migrations: [
    {
      version: 1,
      name: 'applications and rule sets',
      sql: `
        CREATE TABLE IF NOT EXISTS "accreditation_applications" (
          "application_id" text NOT NULL, "mission_id" text NOT NULL, "person_id" text NOT NULL,
          "status" text NOT NULL, "delegation" text NOT NULL, "role" text NOT NULL,
          "person_erased" boolean NOT NULL DEFAULT false, "person" jsonb, "screening" jsonb,
          "badge_number" text, "valid_from" text, "valid_to" text,
          "conditions" jsonb NOT NULL DEFAULT '[]'::jsonb, "reason" text,
          "submitted_at" text NOT NULL, "updated_at" text NOT NULL,
          CONSTRAINT "PK_7337f6e73abc87a5936567f2a87" PRIMARY KEY ("application_id"));
        CREATE INDEX IF NOT EXISTS "IDX_8a33b07dc0cbc0004364fcf110"
          ON "accreditation_applications" ("mission_id", "person_id");
        CREATE INDEX IF NOT EXISTS "IDX_d7269fe817c6fd402f58f7ff71"
          ON "accreditation_applications" ("mission_id", "badge_number");
        CREATE INDEX IF NOT EXISTS "IDX_76de1f10e5b6a5f76e5f4689c4"
          ON "accreditation_applications" ("mission_id", "submitted_at", "application_id");
        CREATE INDEX IF NOT EXISTS "IDX_9fba72f42fcb0ded3ddb090817"
          ON "accreditation_applications" ("mission_id", "status");
        CREATE TABLE IF NOT EXISTS "accreditation_rule_sets" (
          "mission_id" text NOT NULL, "rule_set_id" text NOT NULL, "version" integer NOT NULL,
          "rule_set" jsonb NOT NULL, "published_at" text NOT NULL,
          CONSTRAINT "PK_324351a82976fd313cda63095bc" PRIMARY KEY ("mission_id", "rule_set_id"));`,
    },
  ],
};
