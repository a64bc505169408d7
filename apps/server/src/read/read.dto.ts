import { GRADES, Grade } from '@app/domain';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../identity/identity.dto';

export const REVIEW_STATES = ['open', 'submitted', 'returned', 'approved', 'reopened'] as const;

/** ?minPosition=…: answer only once the read model has applied this position (read-your-writes). */
export class ConsistencyQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPosition?: number;
}

export class HistoryQueryDto extends PageQueryDto {
  /** Answer only once the read model has applied this position (read-your-writes). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPosition?: number;
}

export class ListItemsQueryDto extends HistoryQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  planId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1989)
  @Max(2200)
  fiscalYear?: number;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  policyAreaId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  basicItemId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  divisionId?: string;

  /** The approved grade. */
  @IsOptional()
  @IsIn(GRADES)
  grade?: Grade;

  @IsOptional()
  @IsIn(REVIEW_STATES)
  reviewState?: (typeof REVIEW_STATES)[number];

  /** Words to find in the title, description, results and plans (Japanese or not). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export const SUMMARY_DIMENSIONS = ['policy_area', 'basic_item', 'division'] as const;

export class SummaryQueryDto extends ConsistencyQueryDto {
  @IsString()
  @MaxLength(100)
  planId: string;

  @Type(() => Number)
  @IsInt()
  @Min(1989)
  @Max(2200)
  fiscalYear: number;

  @IsOptional()
  @IsIn(SUMMARY_DIMENSIONS)
  by: (typeof SUMMARY_DIMENSIONS)[number] = 'policy_area';
}

export class TrendsQueryDto extends ConsistencyQueryDto {
  @IsString()
  @MaxLength(100)
  planId: string;
}

export class ThresholdDto {
  @IsIn(GRADES)
  grade: Grade;

  /** As a fraction: 0.9 is 90%. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10)
  minimumRate: number;
}

/** A grading rule to try: a stored one by id and version, or a draft's thresholds. */
export class WhatIfDto {
  @IsString()
  @MaxLength(100)
  planId: string;

  @IsInt()
  @Min(1989)
  @Max(2200)
  fiscalYear: number;

  @IsOptional()
  @IsString()
  ruleId?: string;

  @IsOptional()
  @IsInt()
  ruleVersion?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => ThresholdDto)
  thresholds?: ThresholdDto[];

  @IsOptional()
  @IsIn(GRADES)
  fallback?: Grade;
}

export class MomentOrPositionDto {
  @IsOptional()
  @IsString()
  at?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  position?: number;
}

export class DiffQueryDto {
  /** From: an ISO moment or a global position. */
  @IsString()
  @MaxLength(40)
  from: string;

  @IsString()
  @MaxLength(40)
  to: string;
}
