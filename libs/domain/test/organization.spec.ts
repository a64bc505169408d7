import { OrganizationEvent, organizationDecider } from '../src';
import { deciderSpec } from './decider-spec';

const given = deciderSpec(organizationDecider);
const shiminKankyo: OrganizationEvent = { type: 'DepartmentAdded', data: { departmentId: 'dep-1', name: '市民環境部' } };
const shimin: OrganizationEvent = {
  type: 'DivisionAdded',
  data: { departmentId: 'dep-1', divisionId: 'div-1', name: '市民課' },
};

describe('organization decider', () => {
  it('adds a department', () =>
    given([]).when({ type: 'AddDepartment', departmentId: 'dep-1', name: '市民環境部' }).then([shiminKankyo]));

  it('refuses a department name taken', () =>
    given([shiminKankyo])
      .when({ type: 'AddDepartment', departmentId: 'dep-2', name: '市民環境部' })
      .thenRefuses('department.name_taken', 'conflict'));

  it('adds a division to its department', () =>
    given([shiminKankyo])
      .when({ type: 'AddDivision', departmentId: 'dep-1', divisionId: 'div-1', name: '市民課' })
      .then([shimin]));

  it('refuses a division name taken within the department', () =>
    given([shiminKankyo, shimin])
      .when({ type: 'AddDivision', departmentId: 'dep-1', divisionId: 'div-2', name: '市民課' })
      .thenRefuses('division.name_taken', 'conflict'));

  it('refuses a division of an unknown department', () =>
    given([])
      .when({ type: 'AddDivision', departmentId: 'dep-9', divisionId: 'div-1', name: '市民課' })
      .thenRefuses('department.not_found', 'not_found'));

  it.each(['', '  ', 'あ'.repeat(51)])('refuses the name %p', (name) =>
    given([]).when({ type: 'AddDepartment', departmentId: 'dep-1', name }).thenRefuses('organization.name_length', 'invalid'));
});
