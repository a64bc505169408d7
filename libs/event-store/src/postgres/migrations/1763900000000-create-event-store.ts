import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateEventStore1763900000000 implements MigrationInterface {
  name = 'CreateEventStore1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_streams (
        stream_id   text PRIMARY KEY,
        version     bigint NOT NULL CHECK (version >= 1),
        last_hash   text NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    // global_position comes from a sequence with CACHE 1 (the default) and is drawn
    // only while the append holds the store's ordering lock: see PostgresEventStore.
    await queryRunner.query(`
      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_version  bigint NOT NULL CHECK (stream_version >= 1),
        event_type      text NOT NULL CHECK (event_type <> ''),
        schema_version  integer NOT NULL CHECK (schema_version >= 1),
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        recorded_at     timestamptz NOT NULL,
        previous_hash   text NOT NULL,
        hash            text NOT NULL,
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_refuse_change()`);
    await queryRunner.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE events`);
    await queryRunner.query(`DROP FUNCTION events_refuse_change()`);
    await queryRunner.query(`DROP TABLE event_streams`);
  }
}
