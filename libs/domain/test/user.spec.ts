import { UserEvent, userDecider } from '../src';
import { deciderSpec } from './decider-spec';

const given = deciderSpec(userDecider);
const registered: UserEvent = { type: 'UserRegistered', data: { userId: 'tanaka', displayName: '田中 花子' } };
const staffOf = (...divisionIds: string[]): UserEvent => ({
  type: 'RoleGranted',
  data: { role: 'department_staff', divisionIds },
});

describe('user decider', () => {
  describe('RegisterUser', () => {
    it('registers a new user', () =>
      given([])
        .when({ type: 'RegisterUser', userId: 'tanaka', displayName: ' 田中 花子 ', divisionId: 'div-1' })
        .then([{ type: 'UserRegistered', data: { userId: 'tanaka', displayName: '田中 花子', divisionId: 'div-1' } }]));

    it('refuses a login id registered before', () =>
      given([registered])
        .when({ type: 'RegisterUser', userId: 'tanaka', displayName: '別人' })
        .thenRefuses('user.already_registered', 'conflict'));

    it.each(['ab', 'Tanaka', '-tanaka', 'tanaka san', 'a'.repeat(33)])('refuses the login id %p', (userId) =>
      given([]).when({ type: 'RegisterUser', userId, displayName: '田中' }).thenRefuses('user.login_id_format', 'invalid'));

    it.each(['', '   ', 'あ'.repeat(51)])('refuses the display name %p', (displayName) =>
      given([]).when({ type: 'RegisterUser', userId: 'tanaka', displayName }).thenRefuses('user.display_name_length'));

    it('keeps the address the workflow mails to, and refuses one a mail server would not take', () => {
      given([])
        .when({ type: 'RegisterUser', userId: 'tanaka', displayName: '田中', email: 'tanaka@city.ube.example' })
        .then([{ type: 'UserRegistered', data: { userId: 'tanaka', displayName: '田中', email: 'tanaka@city.ube.example' } }]);
      for (const email of ['tanaka', 'tanaka@localhost', 'ta naka@city.example', `${'a'.repeat(250)}@x.jp`]) {
        given([]).when({ type: 'RegisterUser', userId: 'tanaka', displayName: '田中', email }).thenRefuses('user.email_format', 'invalid');
      }
    });
  });

  describe('GrantRole', () => {
    it('grants department staff for the divisions named, sorted and without repeats', () =>
      given([registered])
        .when({ type: 'GrantRole', role: 'department_staff', divisionIds: ['div-b', 'div-a', 'div-b'] })
        .then([staffOf('div-a', 'div-b')]));

    it('grants a city-wide role without divisions', () =>
      given([registered])
        .when({ type: 'GrantRole', role: 'reviewer', divisionIds: [] })
        .then([{ type: 'RoleGranted', data: { role: 'reviewer', divisionIds: [] } }]));

    it('changes the divisions of a role held', () =>
      given([registered, staffOf('div-a')])
        .when({ type: 'GrantRole', role: 'department_staff', divisionIds: ['div-c'] })
        .then([staffOf('div-c')]));

    it('records nothing when the same grant is repeated', () =>
      given([registered, staffOf('div-a')])
        .when({ type: 'GrantRole', role: 'department_staff', divisionIds: ['div-a'] })
        .then([]));

    it('refuses department staff without divisions', () =>
      given([registered])
        .when({ type: 'GrantRole', role: 'department_staff', divisionIds: [] })
        .thenRefuses('role.divisions_required', 'invalid'));

    it('refuses divisions on a city-wide role', () =>
      given([registered])
        .when({ type: 'GrantRole', role: 'auditor', divisionIds: ['div-a'] })
        .thenRefuses('role.divisions_not_allowed', 'invalid'));

    it('refuses a user who is not registered', () =>
      given([]).when({ type: 'GrantRole', role: 'auditor', divisionIds: [] }).thenRefuses('user.not_found', 'not_found'));
  });

  describe('RevokeRole', () => {
    it('revokes a role held', () =>
      given([registered, staffOf('div-a')])
        .when({ type: 'RevokeRole', role: 'department_staff' })
        .then([{ type: 'RoleRevoked', data: { role: 'department_staff' } }]));

    it('refuses a role not held', () =>
      given([registered]).when({ type: 'RevokeRole', role: 'reviewer' }).thenRefuses('role.not_held', 'conflict'));
  });

  describe('DisableUser and EnableUser', () => {
    const disabled: UserEvent = { type: 'UserDisabled', data: { reason: '退職' } };

    it('disables with a reason', () =>
      given([registered]).when({ type: 'DisableUser', reason: ' 退職 ' }).then([disabled]));

    it('refuses to disable without a reason', () =>
      given([registered]).when({ type: 'DisableUser', reason: ' ' }).thenRefuses('user.reason_required', 'invalid'));

    it('refuses to disable twice', () =>
      given([registered, disabled]).when({ type: 'DisableUser', reason: '再度' }).thenRefuses('user.already_disabled'));

    it('enables a disabled user', () =>
      given([registered, disabled]).when({ type: 'EnableUser' }).then([{ type: 'UserEnabled', data: {} }]));

    it('refuses to enable an active user', () =>
      given([registered]).when({ type: 'EnableUser' }).thenRefuses('user.not_disabled', 'conflict'));
  });

  it('records a password change without any secret', () =>
    given([registered])
      .when({ type: 'RecordPasswordChange', changedBy: 'self' })
      .then([{ type: 'PasswordChanged', data: { changedBy: 'self' } }]));
});
