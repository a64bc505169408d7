import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReviewTables1764000000000 implements MigrationInterface {
  name = 'CreateReviewTables1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // How far each process manager has reacted: it resumes after this position.
    await queryRunner.query(`
      CREATE TABLE process_checkpoints (
        name        text PRIMARY KEY,
        position    bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // Deadline timers: they live here, so a restart fires what came due while the server was down.
    await queryRunner.query(`
      CREATE TABLE review_timers (
        timer_id     text PRIMARY KEY,
        plan_id      text NOT NULL,
        fiscal_year  integer NOT NULL,
        stage        text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('reminder', 'overdue')),
        deadline     date NOT NULL,
        fire_at      timestamptz NOT NULL,
        fired_at     timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX review_timers_due ON review_timers (fire_at) WHERE fired_at IS NULL`);
    // Mails sent per notification event and recipient: a redelivered event mails no one twice.
    await queryRunner.query(`
      CREATE TABLE sent_notifications (
        event_id   uuid NOT NULL,
        recipient  text NOT NULL,
        sent_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, recipient)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sent_notifications`);
    await queryRunner.query(`DROP TABLE review_timers`);
    await queryRunner.query(`DROP TABLE process_checkpoints`);
  }
}
