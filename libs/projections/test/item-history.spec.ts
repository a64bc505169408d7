import { ItemEvent, ItemState, itemDecider } from '@app/domain';
import { generatePlan } from '../../../test/support/plan-event-generator';
import { diffItem } from '../src';

/** A copy sharing no object with the original: nothing skipped as unchanged, nothing rendered before. */
const unshared = (state: ItemState): ItemState => structuredClone(state);

describe('diffItem', () => {
  it('finds the same changes as a comparison of every field, event after event', () => {
    const streams = generatePlan({ items: 20, eventsPerItem: 40, seed: 7 }).filter((stream) => stream.streamId.startsWith('item-'));
    let compared = 0;
    for (const stream of streams) {
      let state = itemDecider.initialState();
      for (const event of stream.events) {
        const next = itemDecider.evolve(state, event as unknown as ItemEvent);
        expect(diffItem(state, next)).toEqual(diffItem(unshared(state), unshared(next)));
        state = next;
        compared += 1;
      }
    }
    expect(compared).toBe(20 * 40);
  });

  it('shows a revised unit in every year whose figures are written with it', () => {
    const period = { firstFiscalYear: 2020, lastFiscalYear: 2021 };
    const events: ItemEvent[] = [
      {
        type: 'ItemRegistered',
        data: {
          itemId: 'a',
          planId: 'p',
          basicItemId: 'b',
          number: 1,
          planPeriod: period,
          gradingRule: { id: 'ube-achievement-rate', version: 1 },
          title: '窓口',
          divisionIds: ['d'],
          description: '',
          schedulePhases: [],
        },
      } as ItemEvent,
      { type: 'IndicatorDefined', data: { indicatorId: 'ind-1', name: '件数', unit: '件', direction: 'higher', kind: 'annual' } } as ItemEvent,
      { type: 'TargetSet', data: { fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: 1200 }] } } as ItemEvent,
    ];
    const before = events.reduce(itemDecider.evolve, itemDecider.initialState());
    const after = itemDecider.evolve(before, {
      type: 'IndicatorRevised',
      data: { indicatorId: 'ind-1', changes: { unit: '回' }, previous: { unit: '件' }, reason: '数え方の変更' },
    } as ItemEvent);

    expect(diffItem(before, after)).toEqual([
      { field: 'indicators.ind-1.unit', label: '単位（件数）', before: '件', after: '回' },
      { field: 'years.2020.targets.ind-1', label: 'R2 目標（件数）', before: '1,200 件', after: '1,200 回' },
    ]);
  });
});
