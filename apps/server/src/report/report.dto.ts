import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { FiscalYearField, ID_PATTERN } from '../plan/plan.dto';

export class AchievementReportQueryDto {
  @Matches(ID_PATTERN)
  planId: string;

  @Type(() => Number)
  @FiscalYearField()
  fiscalYear: number;

  /** この日の終わり（日本時間）までに起きたこと（業務日時）で作る */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf は YYYY-MM-DD の日付です' })
  asOf?: string;

  /** このイベント位置までで作る */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  position?: number;

  @IsOptional()
  @IsIn(['html', 'pdf'])
  format: 'html' | 'pdf' = 'html';
}
