import { GRADES, Grade, TEXT_LIMITS } from '@app/domain';
import { STAGE_KINDS, StageKind, SubmissionStatus } from '@app/workflow';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from '../identity/identity.dto';
import { FiscalYearField, ID_PATTERN, Text } from '../plan/plan.dto';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const SUBMISSION_STATUSES: SubmissionStatus[] = ['not_started', 'draft', 'submitted', 'returned', 'approved'];
const MAX_ITEMS = 500;

export class OpenReviewCycleDto {
  @Matches(ID_PATTERN)
  planId: string;

  @FiscalYearField()
  fiscalYear: number;
}

export class OpenStageDto {
  /** 提出期限（開庁日、YYYY-MM-DD） */
  @Matches(DATE_PATTERN, { message: 'deadline は YYYY-MM-DD の日付です' })
  deadline: string;

  /** 期限の何開庁日前に督促するか（既定 3） */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  reminderWorkingDays?: number;

  /** 対象の個別項目（省略時は計画の有効な全項目） */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS)
  @Matches(ID_PATTERN, { each: true })
  itemIds?: string[];
}

export class ExtendDeadlineDto {
  @Matches(DATE_PATTERN, { message: 'deadline は YYYY-MM-DD の日付です' })
  deadline: string;

  @Text(TEXT_LIMITS.reason)
  reason: string;
}

export class CloseStageDto {
  /** 未承認の項目が残るまま締め切るときの理由 */
  @Text(TEXT_LIMITS.reason, { optional: true })
  reason?: string;
}

export class SaveDraftDto {
  /** その段階の入力項目（キーは段階の設定による） */
  @IsObject()
  content: Record<string, unknown>;
}

export class ApproveSubmissionDto {
  /** 承認する評価（省略時は自己評価） */
  @IsOptional()
  @IsIn(GRADES)
  grade?: Grade;

  @Text(TEXT_LIMITS.reason, { optional: true })
  reason?: string;
}

export class BulkApproveDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS)
  @Matches(ID_PATTERN, { each: true })
  itemIds: string[];
}

export class TasksQueryDto extends PageQueryDto {
  @IsOptional()
  @Matches(ID_PATTERN)
  planId?: string;

  @IsOptional()
  @Type(() => Number)
  @FiscalYearField()
  fiscalYear?: number;

  @IsOptional()
  @IsIn(STAGE_KINDS)
  stage?: StageKind;

  @IsOptional()
  @IsIn(SUBMISSION_STATUSES)
  status?: SubmissionStatus;

  @IsOptional()
  @IsString()
  divisionId?: string;

  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  overdue?: boolean;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPosition?: number;
}

export class NotificationsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  divisionId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPosition?: number;
}
