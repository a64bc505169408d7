import { MigrationInterface, QueryRunner } from 'typeorm';
import { APPEND_EVENTS_UNDER_ONE_LOCK, INSERT_EVENTS_FROM_JSON } from './1764100000000-order-events-by-transaction';

/** SQLSTATE of an append refused because the stream's head is not the one the caller chained onto. */
export const STREAM_HEAD_MOVED = 'RLH01';

/**
 * Holds the ordering lock only while it is needed: for the insert that gives
 * the transaction its id and draws the positions. It was held for the head's
 * update too; 8 writers queue for it (sleeping and waking on it), which costs
 * PostgreSQL ≈25 µs of CPU per append in all, and holding it for less took
 * ≈10 µs of that off (measured on 2 cores).
 *
 * A head that has moved on before the call is answered with NULL, as before,
 * without taking the lock. One that moves on during the call is caught by the
 * (stream, version) unique index at the insert, or, after the lock is let go,
 * by the head's update, which raises STREAM_HEAD_MOVED; either way the rollback
 * takes the events back, and their positions stay a harmless gap.
 *
 * append_event() is the one-event form most commands take: plain parameters
 * instead of a JSON array, which PostgreSQL would parse once as a whole and
 * again per field (≈30 µs per append).
 */
export class ShortenAppendOrderLock1764200000000 implements MigrationInterface {
  name = 'ShortenAppendOrderLock1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION append_events(text, bigint, text, jsonb, timestamptz, bigint)`);
    await queryRunner.query(
      appendFunction(
        'append_events',
        `p_events jsonb`,
        `${INSERT_EVENTS_FROM_JSON}
        SELECT max(global_position), jsonb_array_length(p_events), p_events -> -1 ->> 'hash'
          INTO v_last_position, v_count, v_last_hash FROM inserted`,
      ),
    );
    await queryRunner.query(
      appendFunction(
        'append_event',
        `p_event_id uuid, p_event_type text, p_schema_version integer, p_data jsonb, p_metadata jsonb, p_hash text`,
        `INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,
                            data, metadata, recorded_at, previous_hash, hash)
        VALUES (p_event_id, p_stream_id, p_expected_version + 1, p_event_type, p_schema_version,
                p_data, p_metadata, p_recorded_at, p_expected_hash, p_hash)
        RETURNING global_position, 1, p_hash INTO v_last_position, v_count, v_last_hash`,
      ),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION append_event(text, bigint, text, uuid, text, integer, jsonb, jsonb, text, timestamptz, bigint)`,
    );
    await queryRunner.query(`DROP FUNCTION append_events(text, bigint, text, jsonb, timestamptz, bigint)`);
    await queryRunner.query(APPEND_EVENTS_UNDER_ONE_LOCK);
  }
}

/**
 * The two append functions differ only in how the events arrive and are
 * inserted; the checks, the lock and the head are written once, here (not as
 * a shared PL/pgSQL function: a nested call cost an append ≈40 µs more).
 * `insert` writes the events and sets v_last_position, v_count and v_last_hash.
 */
function appendFunction(name: string, eventParameters: string, insert: string): string {
  return `
      CREATE FUNCTION ${name}(
        p_stream_id text, p_expected_version bigint, p_expected_hash text,
        ${eventParameters}, p_recorded_at timestamptz, p_order_lock bigint
      ) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        v_head_version bigint;
        v_head_hash text;
        v_last_position bigint;
        v_count integer;
        v_last_hash text;
      BEGIN
        SELECT version, last_hash INTO v_head_version, v_head_hash FROM event_streams WHERE stream_id = p_stream_id;
        IF coalesce(v_head_version, 0) <> p_expected_version
           OR (v_head_version IS NOT NULL AND v_head_hash <> p_expected_hash) THEN
          RETURN NULL;
        END IF;
        PERFORM pg_advisory_lock(p_order_lock);
        ${insert};
        PERFORM pg_advisory_unlock(p_order_lock);
        IF p_expected_version = 0 THEN
          INSERT INTO event_streams (stream_id, version, last_hash, updated_at)
          VALUES (p_stream_id, v_count, v_last_hash, p_recorded_at)
          ON CONFLICT (stream_id) DO NOTHING;
        ELSE
          UPDATE event_streams SET version = p_expected_version + v_count, last_hash = v_last_hash, updated_at = p_recorded_at
           WHERE stream_id = p_stream_id AND version = p_expected_version AND last_hash = p_expected_hash;
        END IF;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'stream % moved on from version % during the append', p_stream_id, p_expected_version
            USING ERRCODE = '${STREAM_HEAD_MOVED}';
        END IF;
        RETURN v_last_position;
      END $$`;
}
