import type { RecordedEvent } from '@app/event-store';
import { ReviewCycleEvent, StageKind, SubmissionEvent, notificationMessage } from '@app/workflow';
import { Projection, Sql, TableNames } from '../projection';

export type ReviewTable = 'review_stages' | 'review_tasks' | 'review_notifications';

const CYCLE_STREAM = /^review-(.+)-(\d{4})$/;

/**
 * The workflow as its people read it: each stage's state and deadline
 * (management's progress), each item's task in a stage (a department's inbox,
 * the reviewer's queue), and the in-app notifications to divisions: new work,
 * reminders, returns, overdue marks.
 */
export const reviewsProjection: Projection<ReviewTable> = {
  name: 'reviews',
  version: 1,
  tables: ['review_stages', 'review_tasks', 'review_notifications'],

  async createTables(sql: Sql, t: TableNames<ReviewTable>) {
    await sql.query(`
      CREATE TABLE ${t.review_stages} (
        plan_id text NOT NULL,
        fiscal_year integer NOT NULL,
        stage text NOT NULL,
        status text NOT NULL,
        deadline date,
        item_count integer NOT NULL,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        closed_early boolean,
        close_reason text,
        PRIMARY KEY (plan_id, fiscal_year, stage))`);
    await sql.query(`
      CREATE TABLE ${t.review_tasks} (
        stream_id text PRIMARY KEY,
        plan_id text NOT NULL,
        fiscal_year integer NOT NULL,
        stage text NOT NULL,
        item_id text NOT NULL,
        division_ids text[] NOT NULL,
        status text NOT NULL,
        overdue boolean NOT NULL DEFAULT false,
        submitted_at timestamptz,
        submitted_by text,
        last_reason text,
        version integer NOT NULL,
        last_changed_at timestamptz NOT NULL,
        last_changed_by text NOT NULL)`);
    await sql.query(`CREATE INDEX ON ${t.review_tasks} (plan_id, fiscal_year, stage, status, submitted_at)`);
    await sql.query(`
      CREATE TABLE ${t.review_notifications} (
        event_id uuid PRIMARY KEY,
        global_position bigint NOT NULL,
        division_ids text[] NOT NULL,
        plan_id text NOT NULL,
        fiscal_year integer NOT NULL,
        stage text NOT NULL,
        item_id text NOT NULL,
        kind text NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL)`);
    await sql.query(`CREATE INDEX ON ${t.review_notifications} USING gin (division_ids)`);
  },

  async apply(sql, t, events) {
    for (const event of events) {
      const cycle = CYCLE_STREAM.exec(event.streamId);
      if (cycle) await applyCycleEvent(sql, t, cycle[1], Number(cycle[2]), event, event as unknown as ReviewCycleEvent);
      else if (event.streamId.startsWith('submission-')) await applySubmissionEvent(sql, t, event, event as unknown as SubmissionEvent);
    }
  },
};

async function applyCycleEvent(sql: Sql, t: TableNames<ReviewTable>, planId: string, fiscalYear: number, recorded: RecordedEvent, event: ReviewCycleEvent) {
  switch (event.type) {
    case 'StageOpened':
      await sql.query(
        `INSERT INTO ${t.review_stages} (plan_id, fiscal_year, stage, status, deadline, item_count, opened_at)
         VALUES ($1, $2, $3, 'open', $4, $5, $6)`,
        [planId, fiscalYear, event.data.stage, event.data.deadline, event.data.itemIds.length, recorded.recordedAt],
      );
      return;
    case 'DeadlineExtended':
      await sql.query(`UPDATE ${t.review_stages} SET deadline = $4 WHERE plan_id = $1 AND fiscal_year = $2 AND stage = $3`, [
        planId,
        fiscalYear,
        event.data.stage,
        event.data.deadline,
      ]);
      return;
    case 'StageClosed':
      await sql.query(
        `UPDATE ${t.review_stages} SET status = 'closed', closed_at = $4, closed_early = $5, close_reason = $6
          WHERE plan_id = $1 AND fiscal_year = $2 AND stage = $3`,
        [planId, fiscalYear, event.data.stage, recorded.recordedAt, event.data.early, event.data.reason ?? null],
      );
      return;
  }
}

async function applySubmissionEvent(sql: Sql, t: TableNames<ReviewTable>, recorded: RecordedEvent, event: SubmissionEvent) {
  const common = [recorded.streamId, recorded.streamVersion, recorded.recordedAt, recorded.metadata.actor.userId];
  switch (event.type) {
    case 'TaskCreated':
      await sql.query(
        `INSERT INTO ${t.review_tasks} (stream_id, version, last_changed_at, last_changed_by, plan_id, fiscal_year, stage, item_id, division_ids, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'not_started')`,
        [...common, event.data.planId, event.data.fiscalYear, event.data.stage, event.data.itemId, event.data.divisionIds],
      );
      break;
    case 'DraftSaved':
      await update(sql, t, common, `status = 'draft'`);
      break;
    case 'SubmittedForReview':
      await update(sql, t, common, `status = 'submitted', submitted_at = $3, submitted_by = $4`);
      break;
    case 'SubmissionApproved':
      await update(sql, t, common, `status = 'approved', last_reason = NULL`);
      break;
    case 'SubmissionReturned':
    case 'SubmissionReopened':
      await update(sql, t, common, `status = 'returned', last_reason = $5`, [event.data.reason]);
      break;
    case 'SubmissionOverdue':
      await update(sql, t, common, `overdue = true`);
      break;
    case 'ReminderSent':
      await update(sql, t, common, `status = status`);
      break;
  }
  const [task] = await sql.query<{ stage: StageKind }>(`SELECT stage FROM ${t.review_tasks} WHERE stream_id = $1`, [recorded.streamId]);
  const message = task && notificationMessage(task.stage, event);
  if (message) {
    await sql.query(
      `INSERT INTO ${t.review_notifications} (event_id, global_position, division_ids, plan_id, fiscal_year, stage, item_id, kind, message, created_at)
       SELECT $1, $2, division_ids, plan_id, fiscal_year, stage, item_id, $3, $4, $5 FROM ${t.review_tasks} WHERE stream_id = $6`,
      [recorded.id, recorded.globalPosition, event.type, message, recorded.recordedAt, recorded.streamId],
    );
  }
}

async function update(sql: Sql, t: TableNames<ReviewTable>, common: unknown[], set: string, extra: unknown[] = []) {
  await sql.query(
    `UPDATE ${t.review_tasks} SET ${set}, version = $2, last_changed_at = $3, last_changed_by = $4 WHERE stream_id = $1`,
    [...common, ...extra],
  );
}
