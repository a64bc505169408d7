import { REVIEW_STAGES, StageKind } from './stages';
import type { SubmissionEvent } from './submission';

/**
 * What a division is told when something happens to one of its submissions —
 * new work, a reminder, a return, an overdue mark, an approval — or undefined
 * when the event tells it nothing. The in-app inbox and the e-mails say the same.
 */
export function notificationMessage(stage: StageKind, event: SubmissionEvent): string | undefined {
  const message = (() => {
    switch (event.type) {
      case 'TaskCreated':
        return '提出の依頼があります';
      case 'ReminderSent':
        return `提出期限（${event.data.deadline}）が近づいています`;
      case 'SubmissionReturned':
        return `差し戻されました: ${event.data.reason}`;
      case 'SubmissionOverdue':
        return `提出期限（${event.data.deadline}）を過ぎています`;
      case 'SubmissionApproved':
        return '承認されました';
      default:
        return undefined;
    }
  })();
  return message && `${REVIEW_STAGES[stage].label}: ${message}`;
}
