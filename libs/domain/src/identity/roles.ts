export const ROLES = ['department_staff', 'reviewer', 'auditor', 'management', 'administrator'] as const;

export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  department_staff: '担当課職員',
  reviewer: '行政改革推進課（審査）',
  auditor: '監査',
  management: '市長・幹部',
  administrator: 'システム管理者',
};

/** Roles whose grant names the divisions (課) it covers; the others act city-wide. */
export const DIVISION_SCOPED_ROLES: ReadonlySet<Role> = new Set<Role>(['department_staff']);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
