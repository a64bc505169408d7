import { DIRECTIONS, GRADES, Grade, INDICATOR_KINDS, IndicatorKind, TEXT_LIMITS } from '@app/domain';
import type { Direction } from '@app/domain';
import { OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** Ids a client may choose (the seed loader does, to stay idempotent); generated when omitted. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const FiscalYearField = () => (target: object, key: string) => {
  IsInt()(target, key);
  Min(1989)(target, key);
  Max(2200)(target, key);
};

export const Text = (limit: number, { optional = false, minimum = 1 } = {}) => (target: object, key: string) => {
  if (optional) IsOptional()(target, key);
  IsString()(target, key);
  MinLength(minimum)(target, key);
  MaxLength(limit)(target, key);
};

const FiniteNumber = () => IsNumber({ allowNaN: false, allowInfinity: false });

export class GradingRuleRefDto {
  @IsString()
  @MaxLength(100)
  id: string;

  @IsInt()
  @Min(1)
  version: number;
}

export class RegisterPlanDto {
  @Matches(ID_PATTERN)
  planId: string;

  @Text(TEXT_LIMITS.name)
  name: string;

  @FiscalYearField()
  firstFiscalYear: number;

  @FiscalYearField()
  lastFiscalYear: number;

  /** Ube's rule v1 when omitted. */
  @IsOptional()
  @ValidateNested()
  @Type(() => GradingRuleRefDto)
  gradingRule?: GradingRuleRefDto;
}

export class AddPolicyAreaDto {
  @IsOptional()
  @Matches(ID_PATTERN)
  policyAreaId?: string;

  @IsInt()
  @Min(1)
  @Max(99)
  number: number;

  @Text(TEXT_LIMITS.title)
  title: string;
}

export class AddBasicItemDto {
  @IsOptional()
  @Matches(ID_PATTERN)
  basicItemId?: string;

  @IsString()
  @MaxLength(100)
  policyAreaId: string;

  @Text(TEXT_LIMITS.title)
  title: string;
}

export class SchedulePhaseDto {
  @Text(TEXT_LIMITS.phaseLabel)
  label: string;

  @FiscalYearField()
  firstFiscalYear: number;

  @FiscalYearField()
  lastFiscalYear: number;
}

export class ItemDescriptionDto {
  @Text(TEXT_LIMITS.title)
  title: string;

  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  divisionIds: string[];

  @Text(TEXT_LIMITS.description, { optional: true, minimum: 0 })
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => SchedulePhaseDto)
  schedulePhases?: SchedulePhaseDto[];

  @Text(TEXT_LIMITS.goalText, { optional: true })
  qualitativeGoal?: string;
}

export class RegisterItemDto extends ItemDescriptionDto {
  @IsOptional()
  @Matches(ID_PATTERN)
  itemId?: string;

  @IsString()
  @MaxLength(100)
  basicItemId: string;

  @IsInt()
  @Min(1)
  @Max(999)
  number: number;
}

export class ItemChangesDto extends PartialType(ItemDescriptionDto) {}

export class ReviseItemDto {
  @IsObject()
  @ValidateNested()
  @Type(() => ItemChangesDto)
  changes: ItemChangesDto;

  @Text(TEXT_LIMITS.reason)
  reason: string;
}

export class BaselineDto {
  @FiniteNumber()
  value: number;

  @FiscalYearField()
  fiscalYear: number;
}

export class DefineIndicatorDto {
  @IsOptional()
  @Matches(ID_PATTERN)
  indicatorId?: string;

  @Text(TEXT_LIMITS.name)
  name: string;

  @Text(TEXT_LIMITS.unit)
  unit: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => BaselineDto)
  baseline?: BaselineDto;

  @IsIn(DIRECTIONS)
  direction: Direction;

  @IsIn(INDICATOR_KINDS)
  kind: IndicatorKind;

  /** Bounds of a value; by default 0–100 for % and 0 or more otherwise. */
  @IsOptional()
  @FiniteNumber()
  minimum?: number;

  @IsOptional()
  @FiniteNumber()
  maximum?: number;
}

export class IndicatorChangesDto extends PartialType(OmitType(DefineIndicatorDto, ['indicatorId'] as const)) {}

export class ReviseIndicatorDto {
  @IsObject()
  @ValidateNested()
  @Type(() => IndicatorChangesDto)
  changes: IndicatorChangesDto;

  @Text(TEXT_LIMITS.reason)
  reason: string;
}

export class IndicatorValueDto {
  @IsString()
  @MaxLength(100)
  indicatorId: string;

  @FiniteNumber()
  value: number;
}

/** A list of values, one per indicator (targets, actuals). */
const IndicatorValues = () => (target: object, key: string) => {
  IsOptional()(target, key);
  IsArray()(target, key);
  ArrayMaxSize(20)(target, key);
  ValidateNested({ each: true })(target, key);
  Type(() => IndicatorValueDto)(target, key);
};

export class SetTargetDto {
  @IndicatorValues()
  targets?: IndicatorValueDto[];

  @Text(TEXT_LIMITS.goalText, { optional: true })
  goalText?: string;
}

export class SubmitActualDto {
  @IndicatorValues()
  actuals?: IndicatorValueDto[];

  @Text(TEXT_LIMITS.narrative)
  narrative: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { each: true })
  @MaxLength(500, { each: true })
  evidenceLinks?: string[];
}

export class SubmitEvaluationDto {
  @IsIn(GRADES)
  grade: Grade;

  @Text(TEXT_LIMITS.comment, { optional: true, minimum: 0 })
  comment?: string;
}

export class ApproveEvaluationDto extends SubmitEvaluationDto {
  /** Required where the grade differs from the one the rule computes. */
  @Text(TEXT_LIMITS.reason, { optional: true })
  reason?: string;
}

export class ReasonDto {
  @Text(TEXT_LIMITS.reason)
  reason: string;
}

export class SetNextYearPlanDto {
  @Text(TEXT_LIMITS.planText)
  planText: string;

  @IndicatorValues()
  nextTargets?: IndicatorValueDto[];
}
