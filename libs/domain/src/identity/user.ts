import { Decider, DomainError, DomainEvent } from '../decider';
import { DIVISION_SCOPED_ROLES, Role } from './roles';

export const LOGIN_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;
/** An address a mail server will take: one @, no spaces, a dotted domain; at most 254 characters. */
export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

export type UserCommand =
  | { type: 'RegisterUser'; userId: string; displayName: string; divisionId?: string; email?: string }
  | { type: 'GrantRole'; role: Role; divisionIds: string[] }
  | { type: 'RevokeRole'; role: Role }
  | { type: 'DisableUser'; reason: string }
  | { type: 'EnableUser' }
  | { type: 'RecordPasswordChange'; changedBy: 'self' | 'administrator' };

export type UserEvent =
  | DomainEvent<'UserRegistered', { userId: string; displayName: string; divisionId?: string; email?: string }>
  | DomainEvent<'RoleGranted', { role: Role; divisionIds: string[] }>
  | DomainEvent<'RoleRevoked', { role: Role }>
  | DomainEvent<'UserDisabled', { reason: string }>
  | DomainEvent<'UserEnabled', Record<string, never>>
  // Only the fact: the hash lives with the credentials, never in the event log.
  | DomainEvent<'PasswordChanged', { changedBy: 'self' | 'administrator' }>;

export interface UserState {
  status: 'unregistered' | 'active' | 'disabled';
  userId: string;
  displayName: string;
  /** The division the person belongs to (所属), if any. */
  divisionId?: string;
  /** Where the workflow's notifications are mailed, if anywhere. */
  email?: string;
  /** Each role held, with the divisions it covers (empty: city-wide). */
  roles: Partial<Record<Role, string[]>>;
}

export const userStreamId = (userId: string) => `user-${userId}`;

const MAX_NAME = 50;
const MAX_REASON = 500;

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'unregistered', userId: '', displayName: '', roles: {} }),

  decide(command, state) {
    if (command.type === 'RegisterUser') {
      if (state.status !== 'unregistered') {
        throw new DomainError('conflict', 'user.already_registered', `ユーザー ${command.userId} は登録済みです`, 'loginId');
      }
      if (!LOGIN_ID_PATTERN.test(command.userId)) {
        throw new DomainError(
          'invalid',
          'user.login_id_format',
          'ログインIDは英小文字・数字・「._-」の3〜32文字で、英小文字か数字で始めてください',
          'loginId',
        );
      }
      requireText(command.displayName, MAX_NAME, 'displayName', 'user.display_name_length');
      if (command.email !== undefined && (!EMAIL_PATTERN.test(command.email) || command.email.length > 254)) {
        throw new DomainError('invalid', 'user.email_format', 'メールアドレスの形式が正しくありません', 'email');
      }
      return [
        {
          type: 'UserRegistered',
          data: {
            userId: command.userId,
            displayName: command.displayName.trim(),
            ...(command.divisionId ? { divisionId: command.divisionId } : {}),
            ...(command.email ? { email: command.email } : {}),
          },
        },
      ];
    }
    if (state.status === 'unregistered') {
      throw new DomainError('not_found', 'user.not_found', 'ユーザーが見つかりません');
    }
    switch (command.type) {
      case 'GrantRole': {
        const divisionIds = [...new Set(command.divisionIds)].sort();
        if (DIVISION_SCOPED_ROLES.has(command.role) && divisionIds.length === 0) {
          throw new DomainError('invalid', 'role.divisions_required', 'この役割には担当する課を1つ以上指定してください', 'divisionIds');
        }
        if (!DIVISION_SCOPED_ROLES.has(command.role) && divisionIds.length > 0) {
          throw new DomainError('invalid', 'role.divisions_not_allowed', 'この役割は全庁が対象のため、課は指定できません', 'divisionIds');
        }
        const held = state.roles[command.role];
        if (held && sameMembers(held, divisionIds)) return [];
        return [{ type: 'RoleGranted', data: { role: command.role, divisionIds } }];
      }
      case 'RevokeRole':
        if (!state.roles[command.role]) {
          throw new DomainError('conflict', 'role.not_held', 'このユーザーはその役割を持っていません', 'role');
        }
        return [{ type: 'RoleRevoked', data: { role: command.role } }];
      case 'DisableUser':
        if (state.status === 'disabled') {
          throw new DomainError('conflict', 'user.already_disabled', 'このユーザーは既に無効です');
        }
        requireText(command.reason, MAX_REASON, 'reason', 'user.reason_required');
        return [{ type: 'UserDisabled', data: { reason: command.reason.trim() } }];
      case 'EnableUser':
        if (state.status !== 'disabled') {
          throw new DomainError('conflict', 'user.not_disabled', 'このユーザーは無効になっていません');
        }
        return [{ type: 'UserEnabled', data: {} }];
      case 'RecordPasswordChange':
        return [{ type: 'PasswordChanged', data: { changedBy: command.changedBy } }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return { ...state, status: 'active', ...event.data };
      case 'RoleGranted':
        return { ...state, roles: { ...state.roles, [event.data.role]: event.data.divisionIds } };
      case 'RoleRevoked': {
        const { [event.data.role]: _revoked, ...roles } = state.roles;
        return { ...state, roles };
      }
      case 'UserDisabled':
        return { ...state, status: 'disabled' };
      case 'UserEnabled':
        return { ...state, status: 'active' };
      case 'PasswordChanged':
        return state;
    }
  },
};

function requireText(value: string, max: number, field: string, rule: string): void {
  const length = typeof value === 'string' ? [...value.trim()].length : 0;
  if (length === 0 || length > max) {
    throw new DomainError('invalid', rule, `${field} は1〜${max}文字で入力してください`, field);
  }
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
}
