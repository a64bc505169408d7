import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProjectionCheckpoints1763930000000 implements MigrationInterface {
  name = 'CreateProjectionCheckpoints1763930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per build of a projection: its version, how far it has read, and
    // whether it is the one readers see (active), being built, or replaced.
    await queryRunner.query(`
      CREATE TABLE projection_builds (
        build       serial PRIMARY KEY,
        name        text NOT NULL,
        version     integer NOT NULL,
        position    bigint NOT NULL DEFAULT 0,
        status      text NOT NULL CHECK (status IN ('building', 'active', 'retired')),
        started_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX projection_builds_one_active ON projection_builds (name) WHERE status = 'active'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX projection_builds_one_building ON projection_builds (name) WHERE status = 'building'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_builds`);
  }
}

export const projectionMigrations = [CreateProjectionCheckpoints1763930000000];
