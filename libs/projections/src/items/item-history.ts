import {
  GRADE_LABELS,
  Grade,
  ItemEvent,
  ItemState,
  YearRecord,
  formatFiscalYearShort,
} from '@app/domain';

/** One field of an item that a change touched, in words a person reads. */
export interface FieldChange {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

export const EVENT_LABELS: Record<ItemEvent['type'], string> = {
  ItemRegistered: '個別項目を登録',
  ItemRevised: '個別項目を修正',
  IndicatorDefined: '指標を定義',
  IndicatorRevised: '指標を修正',
  TargetSet: '目標を設定',
  ActualSubmitted: '実績を提出',
  EvaluationSubmitted: '自己評価を提出',
  EvaluationApproved: '評価を承認',
  EvaluationReturned: '評価を差し戻し',
  EvaluationReopened: '承認を取り消し（再開）',
  NextYearPlanSet: '翌年度の取組を設定',
  ItemRetired: '個別項目を廃止',
};

/** Evaluation and item states as people read them (an item's review state is its evaluation's). */
export const STATUS_LABELS: Record<string, string> = {
  open: '未提出',
  submitted: '提出済み',
  returned: '差し戻し',
  approved: '承認済み',
  reopened: '再開',
  active: '実施中',
  retired: '廃止',
  unregistered: '未登録',
};

const DIRECTION_LABELS: Record<string, string> = { higher: '高いほど良い', lower: '低いほど良い' };

interface ReadableField {
  label: string;
  value: string;
}

type Fields = ReadonlyMap<string, ReadableField>;

/**
 * An item's fields as flat, readable values keyed by a stable path, so that
 * two states compare field by field: "years.2020.actuals.ind-1" → "2,901 件".
 * Rendered in sections — the item with its indicators, then each year — since
 * an event changes one section and evolve keeps the other sections' objects.
 */
function itemSection(state: ItemState): Fields {
  let fields = itemSections.get(state);
  if (fields) return fields;
  const { collected, put } = collector();
  put('title', '項目名', state.title);
  put('divisionIds', '担当課', state.divisionIds.join('、'));
  put('description', '取組内容', state.description);
  put(
    'schedulePhases',
    '実施期間',
    state.schedulePhases.map((phase) => `${phase.label}（${formatFiscalYearShort(phase.firstFiscalYear)}〜${formatFiscalYearShort(phase.lastFiscalYear)}）`).join('、'),
  );
  put('qualitativeGoal', '目標（文章）', state.qualitativeGoal);
  put('status', '状態', STATUS_LABELS[state.status]);
  for (const indicator of state.indicators) {
    const base = `indicators.${indicator.indicatorId}`;
    put(`${base}.name`, `指標名（${indicator.indicatorId}）`, indicator.name);
    put(`${base}.unit`, `単位（${indicator.name}）`, indicator.unit);
    put(`${base}.direction`, `方向（${indicator.name}）`, DIRECTION_LABELS[indicator.direction]);
    put(`${base}.kind`, `種類（${indicator.name}）`, indicator.kind);
    if (indicator.baseline) {
      put(`${base}.baseline`, `基準値（${indicator.name}）`, `${number(indicator.baseline.value, indicator.unit)}（${formatFiscalYearShort(indicator.baseline.fiscalYear)}）`);
    }
  }
  fields = collected;
  itemSections.set(state, fields);
  return fields;
}

/** A year's fields; their labels and units come from the item's indicators. */
function yearSection(state: ItemState, fiscalYear: string): Fields {
  const year = state.years[fiscalYear];
  if (!year) return NO_FIELDS;
  const rendered = yearSections.get(year);
  if (rendered?.indicators === state.indicators && rendered.fiscalYear === fiscalYear) return rendered.fields;
  const { collected, put } = collector();
  const indicator = (indicatorId: string) => state.indicators.find((candidate) => candidate.indicatorId === indicatorId);
  const fy = formatFiscalYearShort(Number(fiscalYear));
  const base = `years.${fiscalYear}`;
  for (const [indicatorId, value] of Object.entries(year.targets)) {
    put(`${base}.targets.${indicatorId}`, `${fy} 目標（${indicator(indicatorId)?.name ?? indicatorId}）`, number(value, indicator(indicatorId)?.unit));
  }
  for (const [indicatorId, value] of Object.entries(year.actuals)) {
    put(`${base}.actuals.${indicatorId}`, `${fy} 実績（${indicator(indicatorId)?.name ?? indicatorId}）`, number(value, indicator(indicatorId)?.unit));
  }
  put(`${base}.goalText`, `${fy} 目標（文章）`, year.goalText);
  put(`${base}.narrative`, `${fy} 取組実績`, year.narrative);
  put(`${base}.evidenceLinks`, `${fy} 根拠資料`, year.evidenceLinks.join(' '));
  put(`${base}.evaluation.status`, `${fy} 評価の状態`, STATUS_LABELS[year.evaluation.status]);
  put(`${base}.evaluation.selfGrade`, `${fy} 自己評価`, grade(year.evaluation.selfGrade));
  put(`${base}.evaluation.selfComment`, `${fy} 自己評価コメント`, year.evaluation.selfComment);
  put(`${base}.evaluation.approvedGrade`, `${fy} 承認された評価`, grade(year.evaluation.approvedGrade));
  put(`${base}.evaluation.approvalComment`, `${fy} 承認コメント`, year.evaluation.approvalComment);
  put(`${base}.nextYearPlan`, `${fy} の取組（計画）`, year.nextYearPlan);
  yearSections.set(year, { indicators: state.indicators, fiscalYear, fields: collected });
  return collected;
}

const NO_FIELDS: Fields = new Map();
const itemSections = new WeakMap<ItemState, Fields>();
const yearSections = new WeakMap<YearRecord, { indicators: ItemState['indicators']; fiscalYear: string; fields: Fields }>();

function collector() {
  const collected = new Map<string, ReadableField>();
  const put = (path: string, label: string, value: unknown) => {
    if (value === undefined || value === null || value === '') return;
    collected.set(path, { label, value: String(value) });
  };
  return { collected, put };
}

/** Every field whose readable value differs between two states of an item. */
export function diffItem(before: ItemState, after: ItemState): FieldChange[] {
  const changes: FieldChange[] = [];
  compare(itemSection(before), itemSection(after), changes);
  for (const fiscalYear of new Set([...Object.keys(before.years), ...Object.keys(after.years)])) {
    // A year that evolve left alone, read with the same indicators, reads the same.
    if (before.years[fiscalYear] === after.years[fiscalYear] && before.indicators === after.indicators) continue;
    compare(yearSection(before, fiscalYear), yearSection(after, fiscalYear), changes);
  }
  return changes;
}

function compare(was: Fields, is: Fields, changes: FieldChange[]): void {
  for (const path of new Set([...was.keys(), ...is.keys()])) {
    const before = was.get(path);
    const after = is.get(path);
    if (before?.value !== after?.value) {
      changes.push({ field: path, label: (after ?? before)!.label, before: before?.value ?? null, after: after?.value ?? null });
    }
  }
}

const JAPANESE_NUMBER = new Intl.NumberFormat('ja-JP', { maximumFractionDigits: 4 });
/** Figures as written before: an item's state shows the same figures event after event, and formatting is slow. */
const writtenFigures = new Map<number, string>();
const WRITTEN_FIGURES_KEPT = 10_000;

function number(value: number, unit = ''): string {
  let written = writtenFigures.get(value);
  if (written === undefined) {
    if (writtenFigures.size >= WRITTEN_FIGURES_KEPT) writtenFigures.clear();
    written = JAPANESE_NUMBER.format(value);
    writtenFigures.set(value, written);
  }
  return unit ? `${written} ${unit}` : written;
}

function grade(value: Grade | undefined): string | undefined {
  return value ? GRADE_LABELS[value] : undefined;
}
