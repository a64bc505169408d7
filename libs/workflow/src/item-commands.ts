import { Grade, IndicatorValue, ItemCommand } from '@app/domain';
import { REVIEW_STAGES } from './stages';
import type { SubmissionEvent, SubmissionState } from './submission';

type ItemChange = Exclude<ItemCommand, { type: 'RegisterItem' }>;

/**
 * What a submission's event means for its item, as item commands: a spring
 * submission is the reported year's actuals, results and self-evaluation, its
 * return, reopening and approval the evaluation's; an autumn approval is the
 * next year's plan and targets. The process manager sends these; the approval
 * is checked against them first, so the office never approves what the item refuses.
 */
export function itemCommandsFor(submission: Pick<SubmissionState, 'stage' | 'fiscalYear'>, event: SubmissionEvent): ItemChange[] {
  const definition = REVIEW_STAGES[submission.stage];
  const reportedYear = submission.fiscalYear + definition.reportedYearOffset;
  if (submission.stage === 'spring') {
    switch (event.type) {
      case 'SubmittedForReview': {
        const { content } = event.data;
        return [
          { type: 'SubmitActual', fiscalYear: reportedYear, actuals: values(content.actuals), narrative: String(content.narrative), evidenceLinks: [] },
          { type: 'SubmitEvaluation', fiscalYear: reportedYear, grade: content.selfGrade as Grade, comment: '' },
        ];
      }
      case 'SubmissionReturned':
        return [{ type: 'ReturnEvaluation', fiscalYear: reportedYear, reason: event.data.reason }];
      case 'SubmissionReopened':
        return [{ type: 'ReopenEvaluation', fiscalYear: reportedYear, reason: event.data.reason }];
      case 'SubmissionApproved': {
        const { content, grade, reason } = event.data;
        return [
          { type: 'ApproveEvaluation', fiscalYear: reportedYear, grade: grade ?? (content.selfGrade as Grade), comment: '', ...(reason ? { reason } : {}) },
        ];
      }
      default:
        return [];
    }
  }
  if (event.type !== 'SubmissionApproved' || definition.plannedYearOffset === undefined) return [];
  return [
    {
      type: 'SetNextYearPlan',
      fiscalYear: submission.fiscalYear + definition.plannedYearOffset,
      planText: String(event.data.content.nextYearPlan),
      nextTargets: values(event.data.content.nextYearTargets),
    },
  ];
}

function values(value: unknown): IndicatorValue[] {
  return Array.isArray(value) ? (value as IndicatorValue[]) : [];
}
