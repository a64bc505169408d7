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

    if (touched.size > 0) await writeItems(sql, t, history, touched, states);
  },
};

/**
 * The batch's history rows, the touched items' states and their years' status
 * rows, in one statement: each round trip waits its turn on a busy server's
 * event loop, and their sum is the read model's lag.
 */
async function writeItems(
  sql: Sql,
  t: TableNames<ItemTable>,
  history: object[],
  touched: Map<string, Map<number, RecordedEvent>>,
  states: Map<string, { state: ItemState; version: number }>,
): Promise<void> {
  const items = [...touched.keys()].map((itemId) => ({ item_id: itemId, ...states.get(itemId)! }));
  const placements = await placementsOf(sql, t, items.map((item) => item.state));
  const statusRows: object[] = [];
  for (const { item_id: itemId, state } of items) {
    for (const [fiscalYear, event] of touched.get(itemId)!) {
      statusRows.push(statusRow(state, fiscalYear, placements.get(placementKey(state.planId, state.basicItemId)), event));
    }
  }
  await sql.query(
    `WITH history AS (
       INSERT INTO ${t.item_history} (item_id, stream_version, global_position, event_type, summary, fiscal_year,
         occurred_at, recorded_at, actor_user_id, actor_role, actor_department, changes, reason)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS row(item_id text, stream_version integer, global_position bigint,
         event_type text, summary text, fiscal_year integer, occurred_at timestamptz, recorded_at timestamptz,
         actor_user_id text, actor_role text, actor_department text, changes jsonb, reason text)
     ), states AS (
       INSERT INTO ${t.item_state} (item_id, state, version)
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS row(item_id text, state jsonb, version integer)
       ON CONFLICT (item_id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version
     )
     INSERT INTO ${t.item_status} (${STATUS_COLUMNS.map(([column]) => column).join(', ')})
     SELECT * FROM jsonb_to_recordset($3::jsonb) AS row(${STATUS_COLUMNS.map(([column, type]) => `${column} ${type}`).join(', ')})
     ON CONFLICT (item_id, fiscal_year) DO UPDATE SET
       ${STATUS_COLUMNS.filter(([column]) => column !== 'item_id' && column !== 'fiscal_year')
         .map(([column]) => `${column} = EXCLUDED.${column}`)
         .join(', ')}`,
    [JSON.stringify(history), JSON.stringify(items), JSON.stringify(statusRows)],
  );
}

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

const placementKey = (planId: string, basicItemId: string) => `${planId}\u0000${basicItemId}`;

async function placementsOf(sql: Sql, t: TableNames<ItemTable>, states: readonly ItemState[]): Promise<Map<string, Placement>> {
  const rows = await sql.query<Placement & { planId: string; basicItemId: string }>(
    `SELECT b.plan_id AS "planId", b.basic_item_id AS "basicItemId", b.policy_area_id AS "policyAreaId",
            p.number AS "policyAreaNumber", b.position AS "basicItemPosition"
       FROM ${t.basic_items} b LEFT JOIN ${t.policy_areas} p ON p.plan_id = b.plan_id AND p.policy_area_id = b.policy_area_id
      WHERE (b.plan_id, b.basic_item_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [states.map((state) => state.planId), states.map((state) => state.basicItemId)],
  );
  return new Map(rows.map((row) => [placementKey(row.planId, row.basicItemId), row]));
}

/** item_status's columns with their types, in the order statusRow gives them. */
const STATUS_COLUMNS = [
  ['item_id', 'text'],
  ['fiscal_year', 'integer'],
  ['plan_id', 'text'],
  ['policy_area_id', 'text'],
  ['basic_item_id', 'text'],
  ['item_number', 'integer'],
  ['title', 'text'],
  ['division_ids', 'text[]'],
  ['indicators', 'jsonb'],
  ['goal_text', 'text'],
  ['narrative', 'text'],
  ['next_year_plan', 'text'],
  ['computed_grade', 'text'],
  ['computed_rate', 'double precision'],
  ['rule_id', 'text'],
  ['rule_version', 'integer'],
  ['self_grade', 'text'],
  ['approved_grade', 'text'],
  ['review_state', 'text'],
  ['retired', 'boolean'],
  ['search_text', 'text'],
  ['last_changed_at', 'timestamptz'],
  ['last_changed_by', 'text'],
  ['last_position', 'bigint'],
  ['plan_order', 'integer[]'],
] as const;

function statusRow(state: ItemState, fiscalYear: number, placement: Placement | undefined, lastChange: RecordedEvent) {
  const year = yearOf(state, fiscalYear);
  const computed = suggestedGrade(state, fiscalYear);
  const searchText = [state.title, state.description, state.qualitativeGoal, year.narrative, year.nextYearPlan, year.goalText]
    .filter(Boolean)
    .join('\n')
    // So that full-width and half-width forms (ＡＢＣ/ABC, ｶﾅ/カナ) find each other.
    .normalize('NFKC');
  const row: Record<(typeof STATUS_COLUMNS)[number][0], unknown> = {
    item_id: state.itemId,
    fiscal_year: fiscalYear,
    plan_id: state.planId,
    policy_area_id: placement?.policyAreaId ?? null,
    basic_item_id: state.basicItemId,
    item_number: state.number,
    title: state.title,
    division_ids: state.divisionIds,
    indicators: indicatorStatuses(state, fiscalYear),
    goal_text: year.goalText ?? null,
    narrative: year.narrative ?? null,
    next_year_plan: year.nextYearPlan ?? null,
    computed_grade: computed?.grade ?? null,
    computed_rate: computed && Number.isFinite(computed.rate) ? computed.rate : null,
    rule_id: state.gradingRule.id,
    rule_version: state.gradingRule.version,
    self_grade: year.evaluation.selfGrade ?? null,
    approved_grade: year.evaluation.approvedGrade ?? null,
    review_state: year.evaluation.status,
    retired: state.status === 'retired',
    search_text: searchText,
    last_changed_at: lastChange.recordedAt,
    last_changed_by: lastChange.metadata.actor.userId,
    last_position: lastChange.globalPosition,
    // Policy area, basic item, item: the order the plan prints them in.
    plan_order: [placement?.policyAreaNumber ?? 0, placement?.basicItemPosition ?? 0, state.number],
  };
  return row;
}
