import { Decider, DomainError, DomainEvent } from '../decider';

/** The city's departments (部) and their divisions (課), one stream for the whole city. */
export const ORGANIZATION_STREAM = 'organization';

export type OrganizationCommand =
  | { type: 'AddDepartment'; departmentId: string; name: string }
  | { type: 'AddDivision'; departmentId: string; divisionId: string; name: string };

export type OrganizationEvent =
  | DomainEvent<'DepartmentAdded', { departmentId: string; name: string }>
  | DomainEvent<'DivisionAdded', { departmentId: string; divisionId: string; name: string }>;

export interface Division {
  divisionId: string;
  departmentId: string;
  name: string;
}

export interface Department {
  departmentId: string;
  name: string;
  divisions: Division[];
}

export interface OrganizationState {
  departments: Department[];
}

const MAX_NAME = 50;

export const organizationDecider: Decider<OrganizationState, OrganizationCommand, OrganizationEvent> = {
  initialState: () => ({ departments: [] }),

  decide(command, state) {
    const name = command.name?.trim() ?? '';
    if (name.length === 0 || [...name].length > MAX_NAME) {
      throw new DomainError('invalid', 'organization.name_length', `名称は1〜${MAX_NAME}文字で入力してください`, 'name');
    }
    switch (command.type) {
      case 'AddDepartment':
        if (state.departments.some((department) => department.name === name)) {
          throw new DomainError('conflict', 'department.name_taken', `部「${name}」は登録済みです`, 'name');
        }
        return [{ type: 'DepartmentAdded', data: { departmentId: command.departmentId, name } }];
      case 'AddDivision': {
        const department = state.departments.find((candidate) => candidate.departmentId === command.departmentId);
        if (!department) {
          throw new DomainError('not_found', 'department.not_found', '部が見つかりません', 'departmentId');
        }
        if (department.divisions.some((division) => division.name === name)) {
          throw new DomainError('conflict', 'division.name_taken', `${department.name}に課「${name}」は登録済みです`, 'name');
        }
        return [
          { type: 'DivisionAdded', data: { departmentId: command.departmentId, divisionId: command.divisionId, name } },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DepartmentAdded':
        return { departments: [...state.departments, { ...event.data, divisions: [] }] };
      case 'DivisionAdded':
        return {
          departments: state.departments.map((department) =>
            department.departmentId === event.data.departmentId
              ? { ...department, divisions: [...department.divisions, event.data] }
              : department,
          ),
        };
    }
  },
};

export function findDivision(state: OrganizationState, divisionId: string): Division | undefined {
  for (const department of state.departments) {
    const division = department.divisions.find((candidate) => candidate.divisionId === divisionId);
    if (division) return division;
  }
  return undefined;
}
