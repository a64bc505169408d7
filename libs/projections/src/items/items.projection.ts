import {
  ItemEvent,
  ItemState,
  PlanEvent,
  achievementRate,
  findGradingRule,
  computeGrade,
  itemDecider,
  suggestedGrade,
  yearOf,
} from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { Projection, Sql, TableNames } from '../projection';
import { EVENT_LABELS, diffItem } from './item-history';

export type ItemTable = 'item_state' | 'policy_areas' | 'basic_items' | 'item_status' | 'item_history';

const ITEM_STREAM = /^item-(.+)$/;
const PLAN_STREAM = /^plan-(.+)$/;

/** Per indicator, for one item and fiscal year. */
export interface IndicatorStatus {
  indicatorId: string;
  name: string;
  unit: string;
  direction: 'higher' | 'lower';
  target: number | null;
  actual: number | null;
  rate: number | null;
  grade: string | null;
}

/**
 * Items as people read them: one status row per item and fiscal year of its
 * plan (figures, grades, review state, last change and by whom), and one
 * history row per change (who, when, what before → after, why). The folded
 * state of each item is kept beside them so that a batch never replays a stream.
 */
export const itemsProjection: Projection<ItemTable> = {
  name: 'items',
  // v2: the year's next-year plan (翌年度の取組) and the item's place in the plan (plan_order) in item_status.
  version: 2,
  tables: ['item_state', 'policy_areas', 'basic_items', 'item_status', 'item_history'],

  async createTables(sql: Sql, t: TableNames<ItemTable>) {
    await sql.query(`CREATE TABLE ${t.item_state} (item_id text PRIMARY KEY, state jsonb NOT NULL, version integer NOT NULL)`);
    await sql.query(`
      CREATE TABLE ${t.policy_areas} (
        plan_id text NOT NULL, policy_area_id text NOT NULL, number integer NOT NULL, title text NOT NULL,
        PRIMARY KEY (plan_id, policy_area_id))`);
    await sql.query(`
      CREATE TABLE ${t.basic_items} (
        plan_id text NOT NULL, basic_item_id text NOT NULL, policy_area_id text NOT NULL, title text NOT NULL,
        position integer NOT NULL,
        PRIMARY KEY (plan_id, basic_item_id))`);
    await sql.query(`
      CREATE TABLE ${t.item_status} (
        item_id text NOT NULL,
        fiscal_year integer NOT NULL,
        plan_id text NOT NULL,
        policy_area_id text,
        basic_item_id text NOT NULL,
        item_number integer NOT NULL,
        plan_order integer[] NOT NULL,
        title text NOT NULL,
        division_ids text[] NOT NULL,
        indicators jsonb NOT NULL,
        goal_text text,
        narrative text,
        next_year_plan text,
        computed_grade text,
        computed_rate double precision,
        rule_id text,
        rule_version integer,
        self_grade text,
        approved_grade text,
        review_state text NOT NULL,
        retired boolean NOT NULL,
        search_text text NOT NULL,
        last_changed_at timestamptz NOT NULL,
        last_changed_by text NOT NULL,
        last_position bigint NOT NULL,
        PRIMARY KEY (item_id, fiscal_year))`);
    await sql.query(`CREATE INDEX ON ${t.item_status} (fiscal_year, policy_area_id, basic_item_id)`);
    await sql.query(`CREATE INDEX ON ${t.item_status} USING gin (division_ids)`);
    await sql.query(`
      CREATE TABLE ${t.item_history} (
        item_id text NOT NULL,
        stream_version integer NOT NULL,
        global_position bigint NOT NULL,
        event_type text NOT NULL,
        summary text NOT NULL,
        fiscal_year integer,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        actor_user_id text NOT NULL,
        actor_role text,
        actor_department text,
        changes jsonb NOT NULL,
        reason text,
        PRIMARY KEY (item_id, stream_version))`);
  },

  async apply(sql: Sql, t: TableNames<ItemTable>, events: readonly RecordedEvent[]) {
    const itemIds = [...new Set(events.map((event) => event.streamId.match(ITEM_STREAM)?.[1]).filter((id): id is string => !!id))];
    const states = new Map<string, { state: ItemState; version: number }>();
    if (itemIds.length > 0) {
      const rows = await sql.query<{ item_id: string; state: ItemState; version: number }>(
        `SELECT item_id, state, version FROM ${t.item_state} WHERE item_id = ANY($1)`,
        [itemIds],
      );
      for (const row of rows) states.set(row.item_id, { state: row.state, version: row.version });
    }
    /** History rows of the batch, written in one statement. */
    const history: object[] = [];
    /** Rows to rewrite: item → fiscal year → the event that last changed it. */
    const touched = new Map<string, Map<number, RecordedEvent>>();

    for (const event of events) {
      const planId = event.streamId.match(PLAN_STREAM)?.[1];
      if (planId) {
        await applyPlanEvent(sql, t, planId, event as unknown as RecordedEvent & PlanEvent);
        continue;
      }
      const itemId = event.streamId.match(ITEM_STREAM)?.[1];
      if (!itemId) continue;
      const before = states.get(itemId)?.state ?? itemDecider.initialState();
      const after = itemDecider.evolve(before, event as unknown as ItemEvent);
      states.set(itemId, { state: after, version: event.streamVersion });
      history.push({
        item_id: itemId,
        stream_version: event.streamVersion,
        global_position: event.globalPosition,
        event_type: event.type,
        summary: EVENT_LABELS[event.type as ItemEvent['type']] ?? event.type,
        fiscal_year: fiscalYearOf(event),
        occurred_at: event.metadata.occurredAt,
        recorded_at: event.recordedAt,
        actor_user_id: event.metadata.actor.userId,
        actor_role: event.metadata.actor.role ?? null,
        actor_department: event.metadata.actor.department ?? null,
        changes: diffItem(before, after),
        reason: (event.data as { reason?: string }).reason ?? null,
      });
      const years = touched.get(itemId) ?? new Map<number, RecordedEvent>();
      const fiscalYear = fiscalYearOf(event);
      for (const year of fiscalYear === null ? planYears(after) : [fiscalYear]) years.set(year, event);
      touched.set(itemId, years);
    }

    if (history.length > 0) {
      await sql.query(
        `INSERT INTO ${t.item_history} (item_id, stream_version, global_position, event_type, summary, fiscal_year,
           occurred_at, recorded_at, actor_user_id, actor_role, actor_department, changes, reason)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS row(item_id text, stream_version integer, global_position bigint,
           event_type text, summary text, fiscal_year integer, occurred_at timestamptz, recorded_at timestamptz,
           actor_user_id text, actor_role text, actor_department text, changes jsonb, reason text)`,
        [JSON.stringify(history)],
      );
    }

    for (const [itemId, years] of touched) {
      const { state, version } = states.get(itemId)!;
      await sql.query(
        `INSERT INTO ${t.item_state} (item_id, state, version) VALUES ($1, $2, $3)
         ON CONFLICT (item_id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version`,
        [itemId, JSON.stringify(state), version],
      );
      const [placement] = await sql.query<Placement>(
        `SELECT b.policy_area_id AS "policyAreaId", p.number AS "policyAreaNumber", b.position AS "basicItemPosition"
           FROM ${t.basic_items} b LEFT JOIN ${t.policy_areas} p ON p.plan_id = b.plan_id AND p.policy_area_id = b.policy_area_id
          WHERE b.plan_id = $1 AND b.basic_item_id = $2`,
        [state.planId, state.basicItemId],
      );
      for (const [fiscalYear, event] of years) {
        await upsertStatus(sql, t, state, fiscalYear, placement, event);
      }
    }
  },
};

async function applyPlanEvent(sql: Sql, t: TableNames<ItemTable>, planId: string, event: PlanEvent): Promise<void> {
  if (event.type === 'PolicyAreaAdded') {
    await sql.query(`INSERT INTO ${t.policy_areas} (policy_area_id, plan_id, number, title) VALUES ($1, $2, $3, $4)`, [
      event.data.policyAreaId,
      planId,
      event.data.number,
      event.data.title,
    ]);
  } else if (event.type === 'BasicItemAdded') {
    // Basic items keep the order the plan added them in.
    await sql.query(
      `INSERT INTO ${t.basic_items} (basic_item_id, plan_id, policy_area_id, title, position)
       VALUES ($1, $2, $3, $4, (SELECT count(*) + 1 FROM ${t.basic_items} WHERE plan_id = $2))`,
      [event.data.basicItemId, planId, event.data.policyAreaId, event.data.title],
    );
  }
}

function fiscalYearOf(event: RecordedEvent): number | null {
  const fiscalYear = (event.data as { fiscalYear?: unknown }).fiscalYear;
  return typeof fiscalYear === 'number' ? fiscalYear : null;
}

function planYears(state: ItemState): number[] {
  const years: number[] = [];
  for (let year = state.planPeriod.firstFiscalYear; year <= state.planPeriod.lastFiscalYear; year++) years.push(year);
  return years;
}

/** The figures of one indicator in a year, with the rate and grade the item's rule gives them. */
export function indicatorStatuses(state: ItemState, fiscalYear: number): IndicatorStatus[] {
  const rule = findGradingRule(state.gradingRule.id, state.gradingRule.version);
  const year = yearOf(state, fiscalYear);
  return state.indicators.map((indicator) => {
    const target = year.targets[indicator.indicatorId] ?? null;
    const actual = year.actuals[indicator.indicatorId] ?? null;
    const rate = target !== null && actual !== null ? (achievementRate(target, actual, indicator.direction) ?? null) : null;
    const graded = rule && target !== null && actual !== null ? computeGrade(rule, target, actual, indicator.direction) : undefined;
    return {
      indicatorId: indicator.indicatorId,
      name: indicator.name,
      unit: indicator.unit,
      direction: indicator.direction,
      target,
      actual,
      rate: rate !== null && Number.isFinite(rate) ? rate : null,
      grade: graded?.grade ?? null,
    };
  });
}

/** Where an item's basic item sits in its plan, once the plan's events are in. */
interface Placement {
  policyAreaId: string;
  policyAreaNumber: number | null;
  basicItemPosition: number;
}

async function upsertStatus(
  sql: Sql,
  t: TableNames<ItemTable>,
  state: ItemState,
  fiscalYear: number,
  placement: Placement | undefined,
  lastChange: RecordedEvent,
): Promise<void> {
  const year = yearOf(state, fiscalYear);
  const computed = suggestedGrade(state, fiscalYear);
  const searchText = [state.title, state.description, state.qualitativeGoal, year.narrative, year.nextYearPlan, year.goalText]
    .filter(Boolean)
    .join('\n')
    // So that full-width and half-width forms (ＡＢＣ/ABC, ｶﾅ/カナ) find each other.
    .normalize('NFKC');
  await sql.query(
    `INSERT INTO ${t.item_status} (item_id, fiscal_year, plan_id, policy_area_id, basic_item_id, item_number, title,
       division_ids, indicators, goal_text, narrative, next_year_plan, computed_grade, computed_rate, rule_id, rule_version,
       self_grade, approved_grade, review_state, retired, search_text, last_changed_at, last_changed_by, last_position,
       plan_order)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
     ON CONFLICT (item_id, fiscal_year) DO UPDATE SET
       plan_id = EXCLUDED.plan_id, policy_area_id = EXCLUDED.policy_area_id, basic_item_id = EXCLUDED.basic_item_id,
       item_number = EXCLUDED.item_number, title = EXCLUDED.title, division_ids = EXCLUDED.division_ids,
       indicators = EXCLUDED.indicators, goal_text = EXCLUDED.goal_text, narrative = EXCLUDED.narrative,
       next_year_plan = EXCLUDED.next_year_plan,
       computed_grade = EXCLUDED.computed_grade, computed_rate = EXCLUDED.computed_rate, rule_id = EXCLUDED.rule_id,
       rule_version = EXCLUDED.rule_version, self_grade = EXCLUDED.self_grade, approved_grade = EXCLUDED.approved_grade,
       review_state = EXCLUDED.review_state, retired = EXCLUDED.retired, search_text = EXCLUDED.search_text,
       last_changed_at = EXCLUDED.last_changed_at, last_changed_by = EXCLUDED.last_changed_by,
       last_position = EXCLUDED.last_position, plan_order = EXCLUDED.plan_order`,
    [
      state.itemId,
      fiscalYear,
      state.planId,
      placement?.policyAreaId ?? null,
      state.basicItemId,
      state.number,
      state.title,
      state.divisionIds,
      JSON.stringify(indicatorStatuses(state, fiscalYear)),
      year.goalText ?? null,
      year.narrative ?? null,
      year.nextYearPlan ?? null,
      computed?.grade ?? null,
      computed && Number.isFinite(computed.rate) ? computed.rate : null,
      state.gradingRule.id,
      state.gradingRule.version,
      year.evaluation.selfGrade ?? null,
      year.evaluation.approvedGrade ?? null,
      year.evaluation.status,
      state.status === 'retired',
      searchText,
      lastChange.recordedAt,
      lastChange.metadata.actor.userId,
      lastChange.globalPosition,
      // Policy area, basic item, item: the order the plan prints them in.
      [placement?.policyAreaNumber ?? 0, placement?.basicItemPosition ?? 0, state.number],
    ],
  );
}
