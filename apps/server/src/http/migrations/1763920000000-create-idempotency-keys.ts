import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotencyKeys1763920000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1763920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        user_id       text NOT NULL,
        key           text NOT NULL,
        request_hash  text NOT NULL,
        started_at    timestamptz NOT NULL,
        status_code   integer,
        response      json, -- json, not jsonb: a replay returns the very bytes of the first answer
        PRIMARY KEY (user_id, key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
  }
}
