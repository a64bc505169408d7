import { REVIEW_STAGES, StageKind } from '@app/workflow';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Viewer } from '../read/viewer';
import { NotificationsQueryDto, TasksQueryDto } from './review.dto';

/** Department staff see their own divisions' work; the other roles see every division's. */
function divisionScope(viewer: Viewer, divisionId?: string): string[] | undefined {
  const own = !viewer.seesAllDrafts && viewer.ownDivisions.length > 0 ? viewer.ownDivisions : undefined;
  if (divisionId) return own && !own.includes(divisionId) ? [] : [divisionId];
  return own;
}

/** The workflow's read models: inboxes, the reviewer's queue, stage progress, notifications. */
@Injectable()
export class ReviewReader {
  constructor(@InjectDataSource() private readonly database: DataSource) {}

  /**
   * Tasks with their item and deadline: a department's inbox (by deadline, then
   * the plan's order), or with `queue` the reviewer's submissions, oldest first.
   */
  async tasks(filters: TasksQueryDto, viewer: Viewer, { queue = false } = {}) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      params.push(value);
      where.push(condition.replace('?', `$${params.length}`));
    };
    if (filters.planId) add('t.plan_id = ?', filters.planId);
    if (filters.fiscalYear) add('t.fiscal_year = ?', filters.fiscalYear);
    if (filters.stage) add('t.stage = ?', filters.stage);
    if (queue) add('t.status = ?', 'submitted');
    else if (filters.status) add('t.status = ?', filters.status);
    if (filters.overdue !== undefined) add('t.overdue = ?', filters.overdue);
    const divisions = divisionScope(viewer, filters.divisionId);
    if (divisions) add('t.division_ids && ?', divisions);
    const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const order = queue ? 't.submitted_at, t.stream_id' : 's.deadline, item.plan_order, t.stream_id';
    const [{ total }] = await this.database.query(`SELECT count(*)::int AS total FROM review_tasks t ${condition}`, params);
    const rows = await this.database.query(
      `SELECT t.plan_id AS "planId", t.fiscal_year AS "fiscalYear", t.stage, t.item_id AS "itemId", item.title,
              item.plan_order AS "planOrder", t.division_ids AS "divisionIds", t.status, t.overdue,
              to_char(s.deadline, 'YYYY-MM-DD') AS deadline, t.submitted_at AS "submittedAt", t.submitted_by AS "submittedBy",
              t.last_reason AS "lastReason", t.version, t.last_changed_at AS "lastChangedAt", t.last_changed_by AS "lastChangedBy"
         FROM review_tasks t
         LEFT JOIN review_stages s ON s.plan_id = t.plan_id AND s.fiscal_year = t.fiscal_year AND s.stage = t.stage
         LEFT JOIN LATERAL (SELECT title, plan_order FROM item_status WHERE item_id = t.item_id LIMIT 1) item ON true
         ${condition} ORDER BY ${order}
        LIMIT ${filters.perPage} OFFSET ${(filters.page - 1) * filters.perPage}`,
      params,
    );
    return { items: rows, page: filters.page, perPage: filters.perPage, total };
  }

  /** Each opened stage of a cycle: its deadline and how many items stand where. */
  async progress(planId: string, fiscalYear: number) {
    const rows: Array<Record<string, unknown>> = await this.database.query(
      `SELECT s.stage, s.status, to_char(s.deadline, 'YYYY-MM-DD') AS deadline, s.item_count AS "itemCount",
              s.closed_early AS "closedEarly", s.close_reason AS "closeReason",
              count(*) FILTER (WHERE t.status = 'not_started')::int AS not_started,
              count(*) FILTER (WHERE t.status = 'draft')::int AS draft,
              count(*) FILTER (WHERE t.status = 'submitted')::int AS submitted,
              count(*) FILTER (WHERE t.status = 'returned')::int AS returned,
              count(*) FILTER (WHERE t.status = 'approved')::int AS approved,
              count(*) FILTER (WHERE t.overdue AND t.status NOT IN ('submitted', 'approved'))::int AS overdue
         FROM review_stages s
         LEFT JOIN review_tasks t ON t.plan_id = s.plan_id AND t.fiscal_year = s.fiscal_year AND t.stage = s.stage
        WHERE s.plan_id = $1 AND s.fiscal_year = $2
        GROUP BY s.plan_id, s.fiscal_year, s.stage, s.status, s.deadline, s.item_count, s.closed_early, s.close_reason, s.opened_at
        ORDER BY s.opened_at`,
      [planId, fiscalYear],
    );
    return rows.map(({ not_started, draft, submitted, returned, approved, overdue, ...stage }) => ({
      ...stage,
      label: REVIEW_STAGES[stage.stage as StageKind].label,
      progress: { not_started, draft, submitted, returned, approved, overdue },
    }));
  }

  /** The in-app inbox of notifications to divisions, newest first. */
  async notifications(filters: NotificationsQueryDto, viewer: Viewer) {
    const divisions = divisionScope(viewer, filters.divisionId);
    const condition = divisions ? 'WHERE division_ids && $1' : '';
    const params = divisions ? [divisions] : [];
    const [{ total }] = await this.database.query(`SELECT count(*)::int AS total FROM review_notifications ${condition}`, params);
    const rows = await this.database.query(
      `SELECT event_id AS "eventId", plan_id AS "planId", fiscal_year AS "fiscalYear", stage, item_id AS "itemId",
              division_ids AS "divisionIds", kind, message, created_at AS "createdAt"
         FROM review_notifications ${condition} ORDER BY global_position DESC
        LIMIT ${filters.perPage} OFFSET ${(filters.page - 1) * filters.perPage}`,
      params,
    );
    return { items: rows, page: filters.page, perPage: filters.perPage, total };
  }
}
