/**
 * The tables of the identity read models (users, mission roles, login failures and addresses), as
 * migrations. A new column is a new migration; `read-model-tables.pg.spec.ts` (libs/platform) fails
 * while these and the entities differ. IF NOT EXISTS: databases made before migrations had the same
 * tables from TypeORM's synchronize.
 */
import type { MigrationSet } from '#platform';

export const IDENTITY_READ_MODEL_TABLES: MigrationSet = {
  owner: 'identity-read-models',
  migrations: [
    {
      version: 1,
      name: 'users, mission roles, login failures and addresses',
      sql: `
        CREATE TABLE IF NOT EXISTS "auth_users" (
          "user_id" text NOT NULL, "email" text NOT NULL, "status" text NOT NULL,
          "password_hash" text NOT NULL, "platform_role" text,
          "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL,
          CONSTRAINT "UQ_13d8b49e55a8b06bee6bbc828fb" UNIQUE ("email"),
          CONSTRAINT "PK_a83a2c4135cbbed32dd980fad90" PRIMARY KEY ("user_id"));
        CREATE TABLE IF NOT EXISTS "auth_login_failures" (
          "event_id" text NOT NULL, "account" text NOT NULL, "address" text NOT NULL,
          "at" TIMESTAMP WITH TIME ZONE NOT NULL,
          CONSTRAINT "PK_fe6efb40a279799feb5a7a9c5cc" PRIMARY KEY ("event_id"));
        CREATE INDEX IF NOT EXISTS "IDX_d684456a18068653f0d9912d94" ON "auth_login_failures" ("at");
        CREATE TABLE IF NOT EXISTS "auth_login_addresses" (
          "account" text NOT NULL, "address" text NOT NULL,
          "last_success" TIMESTAMP WITH TIME ZONE NOT NULL,
          CONSTRAINT "PK_ec034b51916f50c6c47476d90ac" PRIMARY KEY ("account", "address"));
        CREATE TABLE IF NOT EXISTS "auth_mission_roles" (
          "user_id" text NOT NULL, "mission_id" text NOT NULL, "role" text NOT NULL,
          CONSTRAINT "PK_4ebbdac5ca23093d041f554f823" PRIMARY KEY ("user_id", "mission_id", "role"));`,
    },
  ],
};
