import {
  GRADES,
  Grade,
  ItemEvent,
  ItemState,
  ORGANIZATION_STREAM,
  OrganizationEvent,
  PlanEvent,
  SchedulePhase,
  findDivision,
  fold,
  itemDecider,
  organizationDecider,
  planDecider,
  planStreamId,
  yearOf,
} from '@app/domain';
import { EventStore, GENESIS_HASH, RecordedEvent, foldRoot } from '@app/event-store';
import { endOfDay } from '@app/workflow';

/** Which events a report covers: all up to a global position, or those that happened by the end of a day (business time). */
export type ReportMoment = { position: number } | { date: string } | Record<string, never>;

export interface ItemReport {
  number: number;
  title: string;
  divisions: string[];
  description: string;
  schedulePhases: SchedulePhase[];
  goal?: string;
  /** Approved grade per fiscal year, as the report prints it. */
  grades: Record<number, Grade | undefined>;
  indicators: Array<{
    name: string;
    unit: string;
    baseline?: { value: number; fiscalYear: number };
    targets: Record<number, number | undefined>;
    actuals: Record<number, number | undefined>;
  }>;
  /** The year's results (取組実績) and the next year's plan (翌年度の取組). */
  results?: string;
  nextYearPlan?: string;
}

export interface AchievementReport {
  planId: string;
  planName: string;
  firstFiscalYear: number;
  lastFiscalYear: number;
  fiscalYear: number;
  moment: ReportMoment;
  /** The highest global position among the events the report is made of. */
  position: number;
  /** The store's chain root at that position (see foldRoot): anyone can check the report against the store. */
  rootHash: string;
  policyAreas: Array<{ number: number; title: string; basicItems: Array<{ title: string; items: ItemReport[] }> }>;
  /** Items with an approved grade for the year, by grade, and all items. */
  counts: Record<Grade, number> & { items: number };
}

const BATCH = 1000;

/**
 * The achievement report of a plan for a fiscal year, from the events alone
 * (never the read model), as they stood at a position or at the end of a day:
 * the report published on a date can be made again exactly.
 */
export async function buildAchievementReport(
  eventStore: EventStore,
  planId: string,
  fiscalYear: number,
  moment: ReportMoment = {},
  onProgress: (position: number, head: number) => void = () => {},
): Promise<AchievementReport | undefined> {
  const head = 'position' in moment ? Math.min(moment.position, await eventStore.headPosition()) : await eventStore.headPosition();
  const cutoff = 'date' in moment ? endOfDay(moment.date) : undefined;
  const included = (event: RecordedEvent) => event.globalPosition <= head && (!cutoff || new Date(event.metadata.occurredAt) < cutoff);

  const streams = new Map<string, RecordedEvent[]>();
  let root = GENESIS_HASH;
  let position = 0;
  let rootHash = GENESIS_HASH;
  for (let from = 1; from <= head; ) {
    const batch = await eventStore.readAll({ fromPosition: from, limit: BATCH });
    if (batch.length === 0) break;
    for (const event of batch) {
      if (event.globalPosition > head) break;
      root = foldRoot(root, event.hash);
      if (!included(event)) continue;
      position = event.globalPosition;
      rootHash = root;
      const kept = streams.get(event.streamId) ?? [];
      kept.push(event);
      streams.set(event.streamId, kept);
    }
    from = batch[batch.length - 1].globalPosition + 1;
    onProgress(Math.min(from - 1, head), head);
  }

  const plan = fold(planDecider, (streams.get(planStreamId(planId)) ?? []) as unknown as PlanEvent[]);
  if (plan.status !== 'active') return undefined;
  const organization = fold(organizationDecider, (streams.get(ORGANIZATION_STREAM) ?? []) as unknown as OrganizationEvent[]);
  const divisionName = (divisionId: string) => {
    const division = findDivision(organization, divisionId);
    const department = organization.departments.find((candidate) => candidate.departmentId === division?.departmentId);
    if (!division) return divisionId;
    return department && department.name !== division.name ? `${department.name} ${division.name}` : division.name;
  };
  const items = [...streams.entries()]
    .filter(([streamId]) => streamId.startsWith('item-'))
    .map(([, events]) => fold(itemDecider, events as unknown as ItemEvent[]))
    .filter((item) => item.planId === planId && item.status === 'active');

  const counts = { ...Object.fromEntries(GRADES.map((grade) => [grade, 0])), items: items.length } as AchievementReport['counts'];
  for (const item of items) {
    const grade = yearOf(item, fiscalYear).evaluation.approvedGrade;
    if (grade) counts[grade]++;
  }
  const years = range(plan.firstFiscalYear, plan.lastFiscalYear);
  return {
    planId,
    planName: plan.name,
    firstFiscalYear: plan.firstFiscalYear,
    lastFiscalYear: plan.lastFiscalYear,
    fiscalYear,
    moment,
    position,
    rootHash,
    counts,
    policyAreas: [...plan.policyAreas]
      .sort((a, b) => a.number - b.number)
      .map((area) => ({
        number: area.number,
        title: area.title,
        basicItems: plan.basicItems
          .filter((basicItem) => basicItem.policyAreaId === area.policyAreaId)
          .map((basicItem) => ({
            title: basicItem.title,
            items: items
              .filter((item) => item.basicItemId === basicItem.basicItemId)
              .sort((a, b) => a.number - b.number)
              .map((item) => itemReport(item, fiscalYear, years, divisionName)),
          })),
      })),
  };
}

function itemReport(item: ItemState, fiscalYear: number, years: number[], divisionName: (divisionId: string) => string): ItemReport {
  const byYear = <T>(pick: (year: number) => T) => Object.fromEntries(years.map((year) => [year, pick(year)])) as Record<number, T>;
  return {
    number: item.number,
    title: item.title,
    divisions: item.divisionIds.map(divisionName),
    description: item.description,
    schedulePhases: item.schedulePhases,
    ...(item.qualitativeGoal ? { goal: item.qualitativeGoal } : {}),
    grades: byYear((year) => yearOf(item, year).evaluation.approvedGrade),
    // A published report prints a year's results once approved; targets and plans are plans.
    indicators: item.indicators.map((indicator) => ({
      name: indicator.name,
      unit: indicator.unit,
      ...(indicator.baseline ? { baseline: indicator.baseline } : {}),
      targets: byYear((year) => yearOf(item, year).targets[indicator.indicatorId]),
      actuals: byYear((year) => (approved(item, year) ? yearOf(item, year).actuals[indicator.indicatorId] : undefined)),
    })),
    ...(approved(item, fiscalYear) && yearOf(item, fiscalYear).narrative ? { results: yearOf(item, fiscalYear).narrative } : {}),
    ...(yearOf(item, fiscalYear + 1).nextYearPlan ? { nextYearPlan: yearOf(item, fiscalYear + 1).nextYearPlan } : {}),
  };
}

const approved = (item: ItemState, year: number) => yearOf(item, year).evaluation.status === 'approved';

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}
