import { IsDateString, IsOptional } from 'class-validator';

/** ?at=… for questions about the past; now when omitted. */
export class MomentQueryDto {
  /** The moment asked about (ISO 8601). */
  @IsOptional()
  @IsDateString()
  at?: string;
}
