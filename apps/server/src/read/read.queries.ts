import { GRADES, Grade, GradingRule, computeGrade, findGradingRule, worstGrade } from '@app/domain';
import { ItemHistoryEntity, ItemStatusEntity } from '@app/projections';
import { NotFoundException } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { IdentityDirectory } from '../identity/identity-directory';
import { ListItemsQueryDto, SUMMARY_DIMENSIONS } from './read.dto';
import { Viewer, seesDraftsOf } from './viewer';

/** A row as this viewer may read it: drafts of other divisions show no figures, results or self-grade. */
function visibleRow({ searchText: _searchText, ruleId, ruleVersion, ...row }: ItemStatusEntity, viewer: Viewer) {
  const drafts = row.reviewState === 'approved' || seesDraftsOf(viewer, row.divisionIds);
  if (drafts) return { ...row, rule: { id: ruleId, version: ruleVersion }, redacted: false };
  return {
    ...row,
    rule: { id: ruleId, version: ruleVersion },
    indicators: row.indicators.map((indicator) => ({ ...indicator, actual: null, rate: null, grade: null })),
    narrative: null,
    nextYearPlan: null,
    computedGrade: null,
    computedRate: null,
    selfGrade: null,
    redacted: true,
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

/** Divisions as people name them, 「部 課」, in the directory's order. */
export function divisionLabels(directory: IdentityDirectory): Map<string, string> {
  return new Map(
    directory
      .organization()
      .departments.flatMap((department) => department.divisions.map((division) => [division.divisionId, `${department.name} ${division.name}`])),
  );
}

/** LIKE with the caller's words taken literally. */
const likePattern = (words: string) => `%${words.normalize('NFKC').replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

@QueryHandler(ListItems)
export class ListItemsHandler implements IQueryHandler<ListItems> {
  constructor(@InjectRepository(ItemStatusEntity) private readonly statuses: Repository<ItemStatusEntity>) {}

  async execute({ filters, viewer }: ListItems) {
    const query = this.statuses.createQueryBuilder('status');
    const equal = { planId: 'plan_id', fiscalYear: 'fiscal_year', policyAreaId: 'policy_area_id', basicItemId: 'basic_item_id', grade: 'approved_grade', reviewState: 'review_state' } as const;
    for (const [filter, column] of Object.entries(equal)) {
      const value = filters[filter as keyof typeof equal];
      if (value !== undefined) query.andWhere(`status.${column} = :${filter}`, { [filter]: value });
    }
    if (filters.divisionId !== undefined) query.andWhere('status.division_ids @> :divisions', { divisions: [filters.divisionId] });
    if (filters.q) query.andWhere('status.search_text ILIKE :words', { words: likePattern(filters.q) });
    const [rows, total] = await query
      .orderBy('status.plan_id')
      .addOrderBy('status.fiscal_year')
      .addOrderBy('status.plan_order')
      .addOrderBy('status.item_id')
      .skip((filters.page - 1) * filters.perPage)
      .take(filters.perPage)
      .getManyAndCount();
    return { items: rows.map((row) => visibleRow(row, viewer)), page: filters.page, perPage: filters.perPage, total };
  }
}

@QueryHandler(GetItemStatus)
export class GetItemStatusHandler implements IQueryHandler<GetItemStatus> {
  constructor(@InjectRepository(ItemStatusEntity) private readonly statuses: Repository<ItemStatusEntity>) {}

  async execute({ itemId, viewer }: GetItemStatus) {
    const rows = await this.statuses.find({ where: { itemId }, order: { fiscalYear: 'ASC' } });
    if (rows.length === 0) throw new NotFoundException({ rule: 'item.not_found', message: '個別項目が見つかりません' });
    return { itemId, years: rows.map((row) => visibleRow(row, viewer)) };
  }
}

@QueryHandler(GetItemHistory)
export class GetItemHistoryHandler implements IQueryHandler<GetItemHistory> {
  constructor(@InjectRepository(ItemHistoryEntity) private readonly history: Repository<ItemHistoryEntity>) {}

  async execute({ itemId, page, perPage }: GetItemHistory) {
    const [rows, total] = await this.history.findAndCount({
      where: { itemId },
      order: { version: 'ASC' },
      skip: (page - 1) * perPage,
      take: perPage,
    });
    if (total === 0) throw new NotFoundException({ rule: 'item.not_found', message: '個別項目が見つかりません' });
    return {
      itemId,
      items: rows.map(({ itemId: _itemId, actorUserId, actorRole, actorDepartment, ...change }) => ({
        ...change,
        actor: { userId: actorUserId, role: actorRole, department: actorDepartment },
      })),
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
    // In the plan's order (policy areas by number, basic items as added, divisions as the directory lists them).
    const order = [...labels.keys()];
    const place = (key: unknown) => (order.includes(String(key)) ? order.indexOf(String(key)) : order.length);
    rows.sort((a, b) => place(a.key) - place(b.key));
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

  /** Each group's label, in the order groups are shown. */
  private async labels(planId: string, by: GetSummary['by']): Promise<Map<string, string>> {
    if (by === 'division') return divisionLabels(this.directory);
    const rows: Array<{ key: string; label: string }> =
      by === 'policy_area'
        ? await this.database.query(
            `SELECT policy_area_id AS key, number || '.' || title AS label FROM policy_areas WHERE plan_id = $1 ORDER BY number`,
            [planId],
          )
        : await this.database.query(
            `SELECT b.basic_item_id AS key, b.title AS label
               FROM basic_items b LEFT JOIN policy_areas p ON p.plan_id = b.plan_id AND p.policy_area_id = b.policy_area_id
              WHERE b.plan_id = $1 ORDER BY p.number, b.position`,
            [planId],
          );
    return new Map(rows.map((row) => [row.key, row.label]));
  }
}

@QueryHandler(GetTrends)
export class GetTrendsHandler implements IQueryHandler<GetTrends> {
  constructor(@InjectRepository(ItemStatusEntity) private readonly statuses: Repository<ItemStatusEntity>) {}

  async execute({ planId, viewer }: GetTrends) {
    const rows = await this.statuses.find({
      where: { planId, retired: false },
      order: { number: 'ASC', itemId: 'ASC', fiscalYear: 'ASC' },
    });
    const series = new Map<string, { itemId: string; title: string; indicatorId: string; name: string; unit: string; years: unknown[] }>();
    for (const row of rows.map((status) => visibleRow(status, viewer))) {
      for (const indicator of row.indicators) {
        const key = `${row.itemId}/${indicator.indicatorId}`;
        const entry = series.get(key) ?? {
          itemId: row.itemId,
          title: row.title,
          indicatorId: indicator.indicatorId,
          name: indicator.name,
          unit: indicator.unit,
          years: [],
        };
        entry.years.push({ fiscalYear: row.fiscalYear, target: indicator.target, actual: indicator.actual, rate: indicator.rate, grade: indicator.grade });
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
  constructor(@InjectRepository(ItemStatusEntity) private readonly statuses: Repository<ItemStatusEntity>) {}

  async execute({ planId, fiscalYear, rule }: WhatIfGrading) {
    const rows = await this.statuses.find({
      where: { planId, fiscalYear, retired: false },
      order: { number: 'ASC', itemId: 'ASC' },
    });
    const items = rows.map((row) => {
      const graded = row.indicators.map((indicator) =>
        indicator.target !== null && indicator.actual !== null ? computeGrade(rule, indicator.target, indicator.actual, indicator.direction) : undefined,
      );
      const complete = graded.length > 0 && graded.every((grade) => grade !== undefined);
      const whatIfGrade = complete ? (worstGrade(graded.map((grade) => grade!.grade)) ?? null) : null;
      return {
        itemId: row.itemId,
        number: row.number,
        title: row.title,
        rate: row.computedRate,
        approvedGrade: row.approvedGrade,
        computedGrade: row.computedGrade,
        whatIfGrade,
        changed: whatIfGrade !== null && whatIfGrade !== row.computedGrade,
      };
    });
    const count = (pick: (item: (typeof items)[number]) => string | null) =>
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
