import type { Role } from '@app/domain';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { SignedInRequest } from '../auth/access.guard';
import type { UserView } from '../identity/identity-directory';

/** Roles that read every item's drafts (work not yet approved); the others read approved data only. */
const SEES_ALL_DRAFTS: readonly Role[] = ['reviewer', 'administrator', 'auditor'];

export interface Viewer {
  seesAllDrafts: boolean;
  /** Divisions whose drafts this person may read (their department-staff grants). */
  ownDivisions: string[];
}

export function viewerOf(user: UserView): Viewer {
  return {
    seesAllDrafts: SEES_ALL_DRAFTS.some((role) => user.roles[role] !== undefined),
    ownDivisions: user.roles.department_staff ?? [],
  };
}

export function seesDraftsOf(viewer: Viewer, divisionIds: readonly string[]): boolean {
  return viewer.seesAllDrafts || divisionIds.some((divisionId) => viewer.ownDivisions.includes(divisionId));
}

/** The signed-in person as a reader of item data. */
export const CurrentViewer = createParamDecorator((_data: unknown, context: ExecutionContext): Viewer =>
  viewerOf(context.switchToHttp().getRequest<SignedInRequest>().session.user),
);
