import { Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { findDivision } from '@app/domain';
import type { Request } from 'express';
import { Allow } from '../auth/access.decorators';
import { IdentityCommandBus } from './identity-command-bus';
import { IdentityDirectory } from './identity-directory';
import { AddDepartment, AddDivision, CreatedResult } from './identity.commands';
import { DivisionStaffQueryDto, NameDto } from './identity.dto';

@Controller('api')
export class OrganizationController {
  constructor(
    private readonly commands: IdentityCommandBus,
    private readonly directory: IdentityDirectory,
  ) {}

  @Get('departments')
  @Allow('organization.read')
  departments() {
    return { items: this.directory.organization().departments };
  }

  @Post('departments')
  @Allow('organization.manage')
  addDepartment(@Body() { name }: NameDto) {
    return this.commands.execute<CreatedResult>(new AddDepartment(name));
  }

  @Post('departments/:departmentId/divisions')
  @Allow('organization.manage')
  addDivision(@Param('departmentId') departmentId: string, @Body() { name }: NameDto) {
    return this.commands.execute<CreatedResult>(new AddDivision(departmentId, name));
  }

  /** The division and the department staff who act for it now. */
  @Get('divisions/:divisionId/members')
  @Allow('division.members.read', { targetDivisions: (request: Request) => [String(request.params.divisionId)] })
  members(@Param('divisionId') divisionId: string) {
    const division = findDivision(this.directory.organization(), divisionId);
    if (!division) throw new NotFoundException({ rule: 'division.not_found', message: '課が見つかりません' });
    const staff = this.directory.usersWithRole('department_staff', divisionId);
    return {
      division,
      members: staff.map(({ userId, displayName }) => ({ userId, displayName })),
    };
  }

  /** For auditors: who could act as department staff for a division at a given moment. */
  @Get('access/division-staff')
  @Allow('access.history.read')
  divisionStaffAsOf(@Query() { divisionId, at }: DivisionStaffQueryDto) {
    const moment = at ? new Date(at) : new Date();
    return {
      divisionId,
      at: moment.toISOString(),
      staff: this.directory
        .usersWithRoleAsOf('department_staff', moment, divisionId)
        .map(({ userId, displayName }) => ({ userId, displayName })),
    };
  }

}
