import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { IndicatorStatus } from './items.projection';

/*
 * The items read model as TypeORM sees it: entities over the reader views, which
 * the projection runner points at the active build. The runner creates the
 * tables (once per build), so these entities never synchronize.
 */

/** One item in one fiscal year (item_status). */
@Entity({ name: 'item_status', synchronize: false })
export class ItemStatusEntity {
  @PrimaryColumn({ name: 'item_id', type: 'text' })
  itemId: string;

  @PrimaryColumn({ name: 'fiscal_year', type: 'integer' })
  fiscalYear: number;

  @Column({ name: 'plan_id', type: 'text' })
  planId: string;

  @Column({ name: 'policy_area_id', type: 'text', nullable: true })
  policyAreaId: string | null;

  @Column({ name: 'basic_item_id', type: 'text' })
  basicItemId: string;

  @Column({ name: 'item_number', type: 'integer' })
  number: number;

  /** Policy area number, basic item position, item number: the plan's printed order. */
  @Column({ name: 'plan_order', type: 'integer', array: true })
  planOrder: number[];

  @Column({ type: 'text' })
  title: string;

  @Column({ name: 'division_ids', type: 'text', array: true })
  divisionIds: string[];

  @Column({ type: 'jsonb' })
  indicators: IndicatorStatus[];

  @Column({ name: 'goal_text', type: 'text', nullable: true })
  goalText: string | null;

  @Column({ type: 'text', nullable: true })
  narrative: string | null;

  @Column({ name: 'next_year_plan', type: 'text', nullable: true })
  nextYearPlan: string | null;

  @Column({ name: 'computed_grade', type: 'text', nullable: true })
  computedGrade: string | null;

  @Column({ name: 'computed_rate', type: 'double precision', nullable: true })
  computedRate: number | null;

  @Column({ name: 'rule_id', type: 'text' })
  ruleId: string;

  @Column({ name: 'rule_version', type: 'integer' })
  ruleVersion: number;

  @Column({ name: 'self_grade', type: 'text', nullable: true })
  selfGrade: string | null;

  @Column({ name: 'approved_grade', type: 'text', nullable: true })
  approvedGrade: string | null;

  @Column({ name: 'review_state', type: 'text' })
  reviewState: string;

  @Column({ type: 'boolean' })
  retired: boolean;

  @Column({ name: 'search_text', type: 'text', select: false })
  searchText: string;

  @Column({ name: 'last_changed_at', type: 'timestamptz' })
  lastChangedAt: Date;

  @Column({ name: 'last_changed_by', type: 'text' })
  lastChangedBy: string;

  @Column({ name: 'last_position', type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  lastPosition: number;
}

/** One change to an item (item_history). */
@Entity({ name: 'item_history', synchronize: false })
export class ItemHistoryEntity {
  @PrimaryColumn({ name: 'item_id', type: 'text' })
  itemId: string;

  @PrimaryColumn({ name: 'stream_version', type: 'integer' })
  version: number;

  @Column({ name: 'global_position', type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  position: number;

  @Column({ name: 'event_type', type: 'text' })
  type: string;

  @Column({ type: 'text' })
  summary: string;

  @Column({ name: 'fiscal_year', type: 'integer', nullable: true })
  fiscalYear: number | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'actor_user_id', type: 'text' })
  actorUserId: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole: string | null;

  @Column({ name: 'actor_department', type: 'text', nullable: true })
  actorDepartment: string | null;

  @Column({ type: 'jsonb' })
  changes: unknown[];

  @Column({ type: 'text', nullable: true })
  reason: string | null;
}
