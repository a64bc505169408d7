import { GRADES, Grade, GradingRule, computeGrade, findGradingRule, worstGrade } from '@app/domain';
import type { IndicatorStatus } from '@app/projections';
import { NotFoundException } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityDirectory } from '../identity/identity-directory';
import { ListItemsQueryDto, SUMMARY_DIMENSIONS } from './read.dto';
import { Viewer, seesDraftsOf } from './viewer';

export interface ItemStatusRow {
  item_id: string;
  fiscal_year: number;
  plan_id: string;
  policy_area_id: string | null;
  basic_item_id: string;
  item_number: number;
  title: string;
  division_ids: string[];
  indicators: IndicatorStatus[];
  goal_text: string | null;
  narrative: string | null;
  computed_grade: Grade | null;
  computed_rate: number | null;
  rule_id: string;
  rule_version: number;
  self_grade: Grade | null;
  approved_grade: Grade | null;
  review_state: string;
  retired: boolean;
  last_changed_at: Date;
  last_changed_by: string;
  last_position: string;
}

/** A row as this viewer may read it: drafts of other divisions show no figures, results or self-grade. */
function visibleRow(row: ItemStatusRow, viewer: Viewer) {
  const drafts = row.review_state === 'approved' || seesDraftsOf(viewer, row.division_ids);
  return {
    itemId: row.item_id,
    fiscalYear: row.fiscal_year,
    planId: row.plan_id,
    policyAreaId: row.policy_area_id,
    basicItemId: row.basic_item_id,
    number: row.item_number,
    title: row.title,
    divisionIds: row.division_ids,
    indicators: drafts ? row.indicators : row.indicators.map((indicator) => ({ ...indicator, actual: null, rate: null, grade: null })),
    goalText: row.goal_text,
    narrative: drafts ? row.narrative : null,
    computedGrade: drafts ? row.computed_grade : null,
    computedRate: drafts ? row.computed_rate : null,
    rule: { id: row.rule_id, version: row.rule_version },
    selfGrade: drafts ? row.self_grade : null,
    approvedGrade: row.approved_grade,
    reviewState: row.review_state,
    retired: row.retired,
    lastChangedAt: row.last_changed_at,
    lastChangedBy: row.last_changed_by,
    lastPosition: Number(row.last_position),
    redacted: !drafts,
  };
}

export class ListItems {
  constructor(
    readonly filters: ListItemsQueryDto,
    readonly viewer: Viewer,
  ) {}
}

export class GetItemStatus {
  constructor(
    readonly itemId: string,
    readonly viewer: Viewer,
  ) {}
}

export class GetItemHistory {
  constructor(
    readonly itemId: string,
    readonly page: number,
    readonly perPage: number,
  ) {}
}

export class GetSummary {
  constructor(
    readonly planId: string,
    readonly fiscalYear: number,
    readonly by: (typeof SUMMARY_DIMENSIONS)[number],
  ) {}
}

export class GetTrends {
  constructor(
    readonly planId: string,
    readonly viewer: Viewer,
  ) {}
}

export class WhatIfGrading {
  constructor(
    readonly planId: string,
    readonly fiscalYear: number,
    readonly rule: GradingRule,
  ) {}
}

/** LIKE with the caller's words taken literally. */
const likePattern = (words: string) => `%${words.normalize('NFKC').replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

@QueryHandler(ListItems)
export class ListItemsHandler implements IQueryHandler<ListItems> {
  constructor(@InjectDataSource() private readonly database: DataSource) {}

  async execute({ filters, viewer }: ListItems) {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (column: string, value: unknown, operator = '=') => {
      if (value === undefined) return;
      params.push(value);
      conditions.push(`${column} ${operator} $${params.length}`);
    };
    where('plan_id', filters.planId);
    where('fiscal_year', filters.fiscalYear);
    where('policy_area_id', filters.policyAreaId);
    where('basic_item_id', filters.basicItemId);
    where('approved_grade', filters.grade);
    where('review_state', filters.reviewState);
    if (filters.divisionId !== undefined) where('division_ids', [filters.divisionId], '@>');
    if (filters.q) where('search_text', likePattern(filters.q), 'ILIKE');
    const whereClause = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const [{ total }] = await this.database.query(`SELECT count(*)::int AS total FROM item_status ${whereClause}`, params);
    const rows: ItemStatusRow[] = await this.database.query(
      `SELECT * FROM item_status ${whereClause}
        ORDER BY plan_id, fiscal_year, policy_area_id NULLS LAST, basic_item_id, item_number, item_id
        LIMIT ${filters.perPage} OFFSET ${(filters.page - 1) * filters.perPage}`,
      params,
    );
    return { items: rows.map((row) => visibleRow(row, viewer)), page: filters.page, perPage: filters.perPage, total };
  }
}

@QueryHandler(GetItemStatus)
export class GetItemStatusHandler implements IQueryHandler<GetItemStatus> {
  constructor(@InjectDataSource() private readonly database: DataSource) {}

  async execute({ itemId, viewer }: GetItemStatus) {
    const rows: ItemStatusRow[] = await this.database.query(
      'SELECT * FROM item_status WHERE item_id = $1 ORDER BY fiscal_year',
      [itemId],
    );
    if (rows.length === 0) throw new NotFoundException({ rule: 'item.not_found', message: '個別項目が見つかりません' });
    return { itemId, years: rows.map((row) => visibleRow(row, viewer)) };
  }
}

@QueryHandler(GetItemHistory)
export class GetItemHistoryHandler implements IQueryHandler<GetItemHistory> {
  constructor(@InjectDataSource() private readonly database: DataSource) {}

  async execute({ itemId, page, perPage }: GetItemHistory) {
    const [{ total }] = await this.database.query('SELECT count(*)::int AS total FROM item_history WHERE item_id = $1', [itemId]);
    if (total === 0) throw new NotFoundException({ rule: 'item.not_found', message: '個別項目が見つかりません' });
    const rows = await this.database.query(
      `SELECT stream_version AS version, global_position::text AS position, event_type AS "type", summary,
              fiscal_year AS "fiscalYear", occurred_at AS "occurredAt", recorded_at AS "recordedAt",
              json_build_object('userId', actor_user_id, 'role', actor_role, 'department', actor_department) AS actor,
              changes, reason
         FROM item_history WHERE item_id = $1 ORDER BY stream_version LIMIT $2 OFFSET $3`,
      [itemId, perPage, (page - 1) * perPage],
    );
    return {
      itemId,
      items: rows.map((row: { position: string }) => ({ ...row, position: Number(row.position) })),
      page,
      perPage,
      total,
    };
  }
}

@QueryHandler(GetSummary)
export class GetSummaryHandler implements IQueryHandler<GetSummary> {
  constructor(
    @InjectDataSource() private readonly database: DataSource,
    private readonly directory: IdentityDirectory,
  ) {}

  async execute({ planId, fiscalYear, by }: GetSummary) {
    const key = {
      policy_area: 's.policy_area_id',
      basic_item: 's.basic_item_id',
      division: 'division_id',
    }[by];
    const from =
      by === 'division'
        ? 'item_status s CROSS JOIN LATERAL unnest(s.division_ids) AS division_id'
        : 'item_status s';
    const rows: Array<Record<string, string | number | null>> = await this.database.query(
      `SELECT ${key} AS key,
              count(*)::int AS items,
              count(*) FILTER (WHERE approved_grade = 'achieved')::int AS achieved,
              count(*) FILTER (WHERE approved_grade = 'mostly_achieved')::int AS mostly_achieved,
              count(*) FILTER (WHERE approved_grade = 'not_achieved')::int AS not_achieved,
              count(*) FILTER (WHERE review_state = 'open' AND narrative IS NULL)::int AS not_started,
              count(*) FILTER (WHERE review_state IN ('open', 'reopened') AND narrative IS NOT NULL)::int AS draft,
              count(*) FILTER (WHERE review_state = 'submitted')::int AS submitted,
              count(*) FILTER (WHERE review_state = 'returned')::int AS returned,
              count(*) FILTER (WHERE review_state = 'approved')::int AS approved
         FROM ${from}
        WHERE s.plan_id = $1 AND s.fiscal_year = $2 AND NOT s.retired
        GROUP BY ${key} ORDER BY ${key}`,
      [planId, fiscalYear],
    );
    const labels = await this.labels(planId, by);
    return {
      planId,
      fiscalYear,
      by,
      groups: rows.map((row) => {
        const graded = Number(row.achieved) + Number(row.mostly_achieved) + Number(row.not_achieved);
        const share = (count: unknown) => (graded === 0 ? null : Number(count) / graded);
        return {
          key: row.key,
          label: labels.get(String(row.key)) ?? String(row.key),
          items: row.items,
          grades: { achieved: row.achieved, mostly_achieved: row.mostly_achieved, not_achieved: row.not_achieved },
          shares: { achieved: share(row.achieved), mostly_achieved: share(row.mostly_achieved), not_achieved: share(row.not_achieved) },
          progress: {
            not_started: row.not_started,
            draft: row.draft,
            submitted: row.submitted,
            returned: row.returned,
            approved: row.approved,
          },
        };
      }),
    };
  }

  private async labels(planId: string, by: GetSummary['by']): Promise<Map<string, string>> {
    if (by === 'division') {
      return new Map(
        this.directory
          .organization()
          .departments.flatMap((department) => department.divisions.map((division) => [division.divisionId, `${department.name} ${division.name}`])),
      );
    }
    const rows: Array<{ key: string; label: string }> =
      by === 'policy_area'
        ? await this.database.query(`SELECT policy_area_id AS key, number || '.' || title AS label FROM policy_areas WHERE plan_id = $1`, [planId])
        : await this.database.query(`SELECT basic_item_id AS key, title AS label FROM basic_items WHERE plan_id = $1`, [planId]);
    return new Map(rows.map((row) => [row.key, row.label]));
  }
}

@QueryHandler(GetTrends)
export class GetTrendsHandler implements IQueryHandler<GetTrends> {
  constructor(@InjectDataSource() private readonly database: DataSource) {}

  async execute({ planId, viewer }: GetTrends) {
    const rows: ItemStatusRow[] = await this.database.query(
      'SELECT * FROM item_status WHERE plan_id = $1 AND NOT retired ORDER BY item_number, item_id, fiscal_year',
      [planId],
    );
    const series = new Map<string, { itemId: string; title: string; indicatorId: string; name: string; unit: string; years: unknown[] }>();
    for (const row of rows.map((status) => ({ status, visible: visibleRow(status, viewer) }))) {
      for (const indicator of row.visible.indicators) {
        const key = `${row.status.item_id}/${indicator.indicatorId}`;
        const entry = series.get(key) ?? {
          itemId: row.status.item_id,
          title: row.status.title,
          indicatorId: indicator.indicatorId,
          name: indicator.name,
          unit: indicator.unit,
          years: [],
        };
        entry.years.push({ fiscalYear: row.status.fiscal_year, target: indicator.target, actual: indicator.actual, rate: indicator.rate, grade: indicator.grade });
        series.set(key, entry);
      }
    }
    return { planId, indicators: [...series.values()] };
  }
}

/**
 * A fiscal year's grades recomputed under another rule, beside the approved
 * ones, from the read model's figures. Nothing is written.
 */
@QueryHandler(WhatIfGrading)
export class WhatIfGradingHandler implements IQueryHandler<WhatIfGrading> {
  constructor(@InjectDataSource() private readonly database: DataSource) {}

  async execute({ planId, fiscalYear, rule }: WhatIfGrading) {
    const rows: ItemStatusRow[] = await this.database.query(
      'SELECT * FROM item_status WHERE plan_id = $1 AND fiscal_year = $2 AND NOT retired ORDER BY item_number, item_id',
      [planId, fiscalYear],
    );
    const items = rows.map((row) => {
      const graded = row.indicators.map((indicator) =>
        indicator.target !== null && indicator.actual !== null ? computeGrade(rule, indicator.target, indicator.actual, indicator.direction) : undefined,
      );
      const complete = graded.length > 0 && graded.every((grade) => grade !== undefined);
      const whatIfGrade = complete ? (worstGrade(graded.map((grade) => grade!.grade)) ?? null) : null;
      return {
        itemId: row.item_id,
        number: row.item_number,
        title: row.title,
        rate: row.computed_rate,
        approvedGrade: row.approved_grade,
        computedGrade: row.computed_grade,
        whatIfGrade,
        changed: whatIfGrade !== null && whatIfGrade !== row.computed_grade,
      };
    });
    const count = (pick: (item: (typeof items)[number]) => Grade | null) =>
      Object.fromEntries(GRADES.map((grade) => [grade, items.filter((item) => pick(item) === grade).length]));
    return {
      planId,
      fiscalYear,
      rule: { id: rule.id, version: rule.version, thresholds: rule.thresholds, fallback: rule.fallback },
      counts: {
        approved: count((item) => item.approvedGrade),
        computed: count((item) => item.computedGrade),
        whatIf: count((item) => item.whatIfGrade),
      },
      moved: items.filter((item) => item.changed).map((item) => item.itemId),
      items,
    };
  }
}

/** The rule a what-if asks for: a stored one, or a draft built from the given thresholds. */
export function ruleForWhatIf(request: { ruleId?: string; ruleVersion?: number; thresholds?: GradingRule['thresholds']; fallback?: Grade }): GradingRule | undefined {
  if (request.thresholds) {
    return {
      id: 'draft',
      version: 0,
      thresholds: [...request.thresholds].sort((a, b) => b.minimumRate - a.minimumRate),
      fallback: request.fallback ?? 'not_achieved',
      rate: 'actual-over-target-inverted-when-lower',
    };
  }
  return request.ruleId && request.ruleVersion ? findGradingRule(request.ruleId, request.ruleVersion) : undefined;
}

export const readQueryHandlers = [
  ListItemsHandler,
  GetItemStatusHandler,
  GetItemHistoryHandler,
  GetSummaryHandler,
  GetTrendsHandler,
  WhatIfGradingHandler,
];
