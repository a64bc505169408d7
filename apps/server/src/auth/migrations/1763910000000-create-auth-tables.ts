import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuthTables1763910000000 implements MigrationInterface {
  name = 'CreateAuthTables1763910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE credentials (
        user_id       text PRIMARY KEY,
        password_hash text NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE sessions (
        session_id uuid PRIMARY KEY,
        user_id    text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX sessions_user_id ON sessions (user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sessions`);
    await queryRunner.query(`DROP TABLE credentials`);
  }
}
