import { ROLE_LABELS, Role, UserState } from '@app/domain';
import type { UserView } from './identity-directory';

export interface UserResponse {
  userId: string;
  displayName: string;
  divisionId?: string;
  email?: string;
  status: UserState['status'];
  roles: Array<{ role: Role; label: string; divisionIds: string[] }>;
  version?: number;
}

export function toUserResponse(user: UserState | UserView): UserResponse {
  return {
    userId: user.userId,
    displayName: user.displayName,
    ...(user.divisionId ? { divisionId: user.divisionId } : {}),
    ...(user.email ? { email: user.email } : {}),
    status: user.status,
    roles: (Object.entries(user.roles) as Array<[Role, string[]]>).map(([role, divisionIds]) => ({
      role,
      label: ROLE_LABELS[role],
      divisionIds,
    })),
    ...('version' in user ? { version: user.version } : {}),
  };
}
