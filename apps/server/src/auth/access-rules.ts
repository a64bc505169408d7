import { ROLE_LABELS, Role } from '@app/domain';

/**
 * Who may do what: every rule of access in one table. A permission lists the
 * roles that hold it, and for each whether it reaches everything ('any') or only
 * targets within the person's own divisions ('own-divisions'). Endpoints name a
 * permission with @Allow; the AccessGuard applies this table.
 */
export type Reach = 'any' | 'own-divisions';

export const ACCESS_RULES = {
  'users.read': { administrator: 'any', auditor: 'any' },
  'users.manage': { administrator: 'any' },
  'organization.read': {
    administrator: 'any',
    reviewer: 'any',
    auditor: 'any',
    management: 'any',
    department_staff: 'any',
  },
  'organization.manage': { administrator: 'any' },
  'division.members.read': {
    administrator: 'any',
    reviewer: 'any',
    auditor: 'any',
    management: 'any',
    department_staff: 'own-divisions',
  },
  'access.history.read': { auditor: 'any', administrator: 'any' },
  'plan.read': {
    administrator: 'any',
    reviewer: 'any',
    auditor: 'any',
    management: 'any',
    department_staff: 'any',
  },
  'plan.manage': { administrator: 'any' },
  'targets.set': { administrator: 'any', reviewer: 'any' },
  'results.submit': { department_staff: 'own-divisions' },
  'evaluation.review': { reviewer: 'any' },
  'audit.read': { auditor: 'any', administrator: 'any' },
  'review.read': {
    administrator: 'any',
    reviewer: 'any',
    auditor: 'any',
    management: 'any',
    department_staff: 'any',
  },
  // Reviewers may correct a draft too, and then may not approve it (four-eyes).
  'review.submit': { department_staff: 'own-divisions', reviewer: 'any' },
  'review.manage': { reviewer: 'any' },
  // The report shows every division's figures: for those who read all of them.
  'report.read': { reviewer: 'any', auditor: 'any', management: 'any', administrator: 'any' },
  'projections.read': { administrator: 'any', auditor: 'any' },
} as const satisfies Record<string, Partial<Record<Role, Reach>>>;

export type Permission = keyof typeof ACCESS_RULES;

/** The order in which roles are tried: the first that allows is the role recorded as used. */
const ROLE_PREFERENCE: Role[] = ['department_staff', 'reviewer', 'management', 'auditor', 'administrator'];

export type AccessDecision =
  | { allowed: true; role: Role; division?: string }
  | { allowed: false; rule: 'access.role_required'; allowedRoles: Role[] }
  | { allowed: false; rule: 'access.division_scope'; targetDivisions: string[] };

/**
 * Decides one request: the person's roles (each with the divisions it covers)
 * against the permission, and the divisions the target belongs to when the
 * permission is reached per division.
 */
export async function decideAccess(
  permission: Permission,
  roles: Partial<Record<Role, string[]>>,
  targetDivisions: () => Promise<string[]>,
): Promise<AccessDecision> {
  const rule: Partial<Record<Role, Reach>> = ACCESS_RULES[permission];
  const candidates = ROLE_PREFERENCE.filter((role) => roles[role] !== undefined && rule[role] !== undefined);
  if (candidates.length === 0) {
    return { allowed: false, rule: 'access.role_required', allowedRoles: Object.keys(rule) as Role[] };
  }
  const cityWide = candidates.find((role) => rule[role] === 'any');
  if (cityWide) return { allowed: true, role: cityWide };
  const targets = await targetDivisions();
  for (const role of candidates) {
    const division = roles[role]!.find((covered) => targets.includes(covered));
    if (division) return { allowed: true, role, division };
  }
  return { allowed: false, rule: 'access.division_scope', targetDivisions: targets };
}

export function describeRefusal(decision: Exclude<AccessDecision, { allowed: true }>): string {
  return decision.rule === 'access.role_required'
    ? `この操作には次のいずれかの役割が必要です: ${decision.allowedRoles.map((role) => ROLE_LABELS[role]).join('、')}`
    : '担当課職員は、自分の課が担当する対象にのみ操作できます';
}
