import { MigrationInterface, QueryRunner } from 'typeorm';

/** Inserts the events of a JSON array (in version order) as `inserted`, their positions drawn in that order. */
export const INSERT_EVENTS_FROM_JSON = `WITH inserted AS (
          INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,
                              data, metadata, recorded_at, previous_hash, hash)
          SELECT e.id, p_stream_id, e."streamVersion", e.type, e."schemaVersion", e.data, e.metadata,
                 p_recorded_at, e."previousHash", e.hash
            FROM jsonb_to_recordset(p_events) AS e(
                   id uuid, "streamVersion" bigint, type text, "schemaVersion" integer,
                   data jsonb, metadata jsonb, "previousHash" text, hash text)
           ORDER BY e."streamVersion"
          RETURNING global_position
        )`;

/** append_events() as this migration made it (a later one shortens the lock and restores this on the way down). */
export const APPEND_EVENTS_UNDER_ONE_LOCK = `
      CREATE FUNCTION append_events(
        p_stream_id text, p_expected_version bigint, p_expected_hash text,
        p_events jsonb, p_recorded_at timestamptz, p_order_lock bigint
      ) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        v_last jsonb := p_events -> -1;
        v_last_position bigint;
      BEGIN
        PERFORM pg_advisory_lock(p_order_lock);
        IF p_expected_version = 0 THEN
          INSERT INTO event_streams (stream_id, version, last_hash, updated_at)
          VALUES (p_stream_id, (v_last ->> 'streamVersion')::bigint, v_last ->> 'hash', p_recorded_at)
          ON CONFLICT (stream_id) DO NOTHING;
        ELSE
          UPDATE event_streams
             SET version = (v_last ->> 'streamVersion')::bigint, last_hash = v_last ->> 'hash', updated_at = p_recorded_at
           WHERE stream_id = p_stream_id AND version = p_expected_version AND last_hash = p_expected_hash;
        END IF;
        IF NOT FOUND THEN
          PERFORM pg_advisory_unlock(p_order_lock);
          RETURN NULL;
        END IF;
        ${INSERT_EVENTS_FROM_JSON}
        SELECT max(global_position) INTO v_last_position FROM inserted;
        PERFORM pg_advisory_unlock(p_order_lock);
        RETURN v_last_position;
      END $$`;

/**
 * Appends in one round trip, with positions handed out in transaction order
 * (see PostgresEventStore for why both).
 *
 * - events.transaction_id: the transaction that wrote the event, so that readers
 *   can leave out events of transactions newer than the oldest one still open.
 *   Events written before this had committed long ago: 0.
 * - append_events(): checks the stream's head, takes the ordering lock, writes
 *   the head and the events (the first write gives the transaction its id, the
 *   inserts draw the positions), and lets go of the lock before the commit.
 *   Returns the last position, or NULL when the head was not the one expected.
 */
export class OrderEventsByTransaction1764100000000 implements MigrationInterface {
  name = 'OrderEventsByTransaction1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE events ADD COLUMN transaction_id xid8 NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE events ALTER COLUMN transaction_id SET DEFAULT pg_current_xact_id()`);
    await queryRunner.query(APPEND_EVENTS_UNDER_ONE_LOCK);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION append_events(text, bigint, text, jsonb, timestamptz, bigint)`);
    await queryRunner.query(`ALTER TABLE events DROP COLUMN transaction_id`);
  }
}
