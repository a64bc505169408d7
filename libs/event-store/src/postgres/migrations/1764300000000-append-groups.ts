import { MigrationInterface, QueryRunner } from 'typeorm';
import { STREAM_HEAD_MOVED } from './1764200000000-shorten-append-order-lock';

/**
 * append_group(): the appends of several streams in one transaction, one
 * round trip, one commit. A store sends the appends made in the same turn of
 * its event loop this way (see PostgresEventStore), so that a busy server
 * commits a group at a time rather than an append at a time.
 *
 * Each append is checked on its own, as append_event() checks one: an append
 * whose stream's head is not the one expected (or whose stream an earlier
 * append of the group already writes) is left out and answered NULL, and the
 * others go on. Then, in the same order as append_event(), so that the two
 * never wait on each other crosswise: the accepted appends' events are
 * inserted under the ordering lock, and their heads moved after it. A head
 * that moved on during the call fails the whole group with STREAM_HEAD_MOVED,
 * as it fails a single append; the store then sends the group's appends alone.
 *
 * Parameters are arrays with one element per append; p_events holds every
 * event, each with `append`, the 1-based index of its append. Returns the last
 * position of each append, NULL for one left out.
 */
export class AppendGroups1764300000000 implements MigrationInterface {
  name = 'AppendGroups1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION append_group(
        p_stream_ids text[], p_expected_versions bigint[], p_expected_hashes text[],
        p_last_versions bigint[], p_last_hashes text[], p_recorded_ats timestamptz[],
        p_events jsonb, p_order_lock bigint
      ) RETURNS bigint[] LANGUAGE plpgsql AS $$
      DECLARE
        v_count integer := cardinality(p_stream_ids);
        v_accepted boolean[] := array_fill(false, ARRAY[v_count]);
        v_positions bigint[];
        v_head_version bigint;
        v_head_hash text;
      BEGIN
        FOR i IN 1 .. v_count LOOP
          SELECT version, last_hash INTO v_head_version, v_head_hash FROM event_streams WHERE stream_id = p_stream_ids[i];
          v_accepted[i] := coalesce(v_head_version, 0) = p_expected_versions[i]
            AND (v_head_version IS NULL OR v_head_hash = p_expected_hashes[i])
            AND NOT (p_stream_ids[i] = ANY (p_stream_ids[1 : i - 1]));
        END LOOP;
        IF NOT (true = ANY (v_accepted)) THEN
          RETURN array_fill(NULL::bigint, ARRAY[v_count]);
        END IF;
        PERFORM pg_advisory_lock(p_order_lock);
        WITH inserted AS (
          INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,
                              data, metadata, recorded_at, previous_hash, hash)
          SELECT e.id, p_stream_ids[e.append], e."streamVersion", e.type, e."schemaVersion", e.data, e.metadata,
                 p_recorded_ats[e.append], e."previousHash", e.hash
            FROM jsonb_to_recordset(p_events) AS e(
                   append integer, id uuid, "streamVersion" bigint, type text, "schemaVersion" integer,
                   data jsonb, metadata jsonb, "previousHash" text, hash text)
           WHERE v_accepted[e.append]
           ORDER BY e.append, e."streamVersion"
          RETURNING global_position, stream_id
        ),
        last_positions AS (SELECT stream_id, max(global_position) AS position FROM inserted GROUP BY stream_id)
        SELECT array_agg(CASE WHEN given.accepted THEN last_positions.position END ORDER BY given.append)
          INTO v_positions
          FROM unnest(p_stream_ids, v_accepted) WITH ORDINALITY AS given(stream_id, accepted, append)
          LEFT JOIN last_positions USING (stream_id);
        PERFORM pg_advisory_unlock(p_order_lock);
        FOR i IN 1 .. v_count LOOP
          CONTINUE WHEN NOT v_accepted[i];
          IF p_expected_versions[i] = 0 THEN
            INSERT INTO event_streams (stream_id, version, last_hash, updated_at)
            VALUES (p_stream_ids[i], p_last_versions[i], p_last_hashes[i], p_recorded_ats[i])
            ON CONFLICT (stream_id) DO NOTHING;
          ELSE
            UPDATE event_streams
               SET version = p_last_versions[i], last_hash = p_last_hashes[i], updated_at = p_recorded_ats[i]
             WHERE stream_id = p_stream_ids[i] AND version = p_expected_versions[i] AND last_hash = p_expected_hashes[i];
          END IF;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'stream % moved on from version % during the append', p_stream_ids[i], p_expected_versions[i]
              USING ERRCODE = '${STREAM_HEAD_MOVED}';
          END IF;
        END LOOP;
        RETURN v_positions;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION append_group(text[], bigint[], text[], bigint[], text[], timestamptz[], jsonb, bigint)`,
    );
  }
}
