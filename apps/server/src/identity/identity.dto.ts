import { EMAIL_PATTERN, LOGIN_ID_PATTERN, ROLES, Role } from '@app/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords';
import { MomentQueryDto } from '../http/moment-query.dto';

export class RoleGrantDto {
  @IsIn(ROLES)
  role: Role;

  /** The divisions (課) a department-staff grant covers; empty for city-wide roles. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  divisionIds?: string[];
}

export class CreateUserDto {
  @Matches(LOGIN_ID_PATTERN)
  loginId: string;

  @IsString()
  @Length(1, 50)
  displayName: string;

  @IsOptional()
  @IsString()
  divisionId?: string;

  /** 通知の送り先（任意） */
  @IsOptional()
  @Matches(EMAIL_PATTERN)
  @MaxLength(254)
  email?: string;

  @IsString()
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
  password: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @ValidateNested({ each: true })
  @Type(() => RoleGrantDto)
  roles?: RoleGrantDto[];
}

export class DisableUserDto {
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class ResetPasswordDto {
  @IsString()
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
  newPassword: string;
}

export class PageQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  perPage = 50;
}

export class NameDto {
  @IsString()
  @Length(1, 50)
  name: string;
}

export class DivisionStaffQueryDto extends MomentQueryDto {
  @IsString()
  divisionId: string;
}
