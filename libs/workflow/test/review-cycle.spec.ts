import { deciderSpec } from '../../domain/test/decider-spec';
import { ReviewCycleEvent, reviewCycleDecider } from '../src';

const spec = deciderSpec(reviewCycleDecider);
const opened: ReviewCycleEvent = { type: 'ReviewCycleOpened', data: { planId: 'ube', fiscalYear: 2020 } };
const springOpened: ReviewCycleEvent = {
  type: 'StageOpened',
  data: { stage: 'spring', deadline: '2020-05-29', reminderWorkingDays: 3, itemIds: ['a', 'b'], reportedFiscalYear: 2019 },
};

describe('the review cycle', () => {
  it('opens once per plan and fiscal year', () => {
    spec([]).when({ type: 'OpenReviewCycle', planId: 'ube', fiscalYear: 2020 }).then([opened]);
    spec([opened]).when({ type: 'OpenReviewCycle', planId: 'ube', fiscalYear: 2020 }).thenRefuses('review_cycle.already_open', 'conflict');
  });

  it('opens the spring stage on the previous year\'s figures, with a working-day deadline and the items in scope', () => {
    spec([opened])
      .when({ type: 'OpenStage', stage: 'spring', deadline: '2020-05-29', itemIds: ['a', 'b', 'a'], today: '2020-04-01' })
      .then([springOpened]);
    spec([opened])
      .when({ type: 'OpenStage', stage: 'autumn', deadline: '2020-10-30', reminderWorkingDays: 5, itemIds: ['a'], today: '2020-10-01' })
      .then([
        {
          type: 'StageOpened',
          data: { stage: 'autumn', deadline: '2020-10-30', reminderWorkingDays: 5, itemIds: ['a'], reportedFiscalYear: 2020 },
        },
      ]);
  });

  it('refuses a deadline on a weekend or a public holiday, in the past, or not a date', () => {
    const open = (deadline: string) => spec([opened]).when({ type: 'OpenStage', stage: 'spring', deadline, itemIds: ['a'], today: '2020-04-01' });
    open('2020-05-30').thenRefuses('deadline.not_working_day', 'invalid'); // a Saturday
    open('2020-05-05').thenRefuses('deadline.not_working_day', 'invalid'); // こどもの日
    open('2020-03-31').thenRefuses('deadline.in_past', 'invalid');
    open('2020-02-30').thenRefuses('deadline.invalid', 'invalid');
    spec([]).when({ type: 'OpenStage', stage: 'spring', deadline: '2020-05-29', itemIds: ['a'], today: '2020-04-01' }).thenRefuses('review_cycle.not_found', 'not_found');
    spec([opened, springOpened])
      .when({ type: 'OpenStage', stage: 'spring', deadline: '2020-06-01', itemIds: ['a'], today: '2020-04-01' })
      .thenRefuses('stage.already_opened', 'conflict');
  });

  it('extends a deadline to a later working day, with a reason', () => {
    spec([opened, springOpened])
      .when({ type: 'ExtendDeadline', stage: 'spring', deadline: '2020-06-05', reason: '新型コロナ対応のため' })
      .then([{ type: 'DeadlineExtended', data: { stage: 'spring', deadline: '2020-06-05', previousDeadline: '2020-05-29', reason: '新型コロナ対応のため' } }]);
    spec([opened, springOpened]).when({ type: 'ExtendDeadline', stage: 'spring', deadline: '2020-05-28', reason: '前倒し' }).thenRefuses('deadline.not_later');
    spec([opened, springOpened]).when({ type: 'ExtendDeadline', stage: 'spring', deadline: '2020-06-05', reason: ' ' }).thenRefuses('reason.required');
    spec([opened]).when({ type: 'ExtendDeadline', stage: 'autumn', deadline: '2020-11-02', reason: '延長' }).thenRefuses('stage.not_opened', 'conflict');
  });

  it('closes a stage when every item is approved, or early only with a reason', () => {
    spec([opened, springOpened])
      .when({ type: 'CloseStage', stage: 'spring', unapprovedItems: 0 })
      .then([{ type: 'StageClosed', data: { stage: 'spring', early: false, unapprovedItems: 0 } }]);
    spec([opened, springOpened]).when({ type: 'CloseStage', stage: 'spring', unapprovedItems: 2 }).thenRefuses('stage.items_not_approved', 'conflict');
    spec([opened, springOpened])
      .when({ type: 'CloseStage', stage: 'spring', unapprovedItems: 2, reason: '年度末のため打ち切り' })
      .then([{ type: 'StageClosed', data: { stage: 'spring', early: true, unapprovedItems: 2, reason: '年度末のため打ち切り' } }]);
    const closed: ReviewCycleEvent = { type: 'StageClosed', data: { stage: 'spring', early: false, unapprovedItems: 0 } };
    spec([opened, springOpened, closed]).when({ type: 'CloseStage', stage: 'spring', unapprovedItems: 0 }).thenRefuses('stage.closed', 'conflict');
  });
});
