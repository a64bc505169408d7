import type { NewEvent } from '@app/event-store';

/** A small seeded generator (mulberry32), so a run can be repeated exactly. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedStream {
  streamId: string;
  events: NewEvent[];
}

const metadata = (userId: string, role: string, index: number) => ({
  commandId: `generated-${userId}-${index}`,
  correlationId: 'generator',
  causationId: 'generator',
  actor: { userId, role },
  occurredAt: new Date(Date.UTC(2021, 3, 1) + index * 1000).toISOString(),
});

/**
 * A plan with `items` items of `eventsPerItem` events each (registration, an
 * indicator, then targets and actuals over FY2018–FY2021), as the deciders
 * would have written them: valid input for every projection.
 */
export function generatePlan({ planId = 'gen', items, eventsPerItem, seed = 1 }: { planId?: string; items: number; eventsPerItem: number; seed?: number }): GeneratedStream[] {
  const next = random(seed);
  let index = 0;
  const event = (type: string, data: unknown, userId = 'generator', role = 'administrator'): NewEvent => ({
    type,
    schemaVersion: 1,
    data,
    metadata: metadata(userId, role, index++),
  });
  const period = { firstFiscalYear: 2018, lastFiscalYear: 2021 };
  const gradingRule = { id: 'ube-achievement-rate', version: 1 };
  const streams: GeneratedStream[] = [
    {
      streamId: `plan-${planId}`,
      events: [
        event('PlanRegistered', { planId, name: '生成された計画', ...period, gradingRule }),
        event('PolicyAreaAdded', { policyAreaId: 'pa-1', number: 1, title: 'サービス改革' }),
        event('BasicItemAdded', { basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '質的向上' }),
      ],
    },
  ];
  for (let item = 1; item <= items; item++) {
    const itemId = `${planId}-${item}`;
    const events = [
      event('ItemRegistered', {
        itemId,
        planId,
        basicItemId: 'bi-1',
        number: item,
        planPeriod: period,
        gradingRule,
        title: `項目${item}`,
        divisionIds: [`div-${item % 7}`],
        description: '',
        schedulePhases: [],
      }),
      event('IndicatorDefined', { indicatorId: 'ind-1', name: '件数', unit: '件', direction: next() < 0.8 ? 'higher' : 'lower', kind: 'annual' }),
    ];
    while (events.length < eventsPerItem) {
      const fiscalYear = 2018 + Math.floor(next() * 4);
      const value = Math.round(next() * 5000);
      events.push(
        next() < 0.5
          ? event('TargetSet', { fiscalYear, targets: [{ indicatorId: 'ind-1', value }] }, 'reviewer', 'reviewer')
          : event('ActualSubmitted', { fiscalYear, actuals: [{ indicatorId: 'ind-1', value }], narrative: `実績 ${value}`, evidenceLinks: [] }, 'staff', 'department_staff'),
      );
    }
    streams.push({ streamId: `item-${itemId}`, events });
  }
  return streams;
}
