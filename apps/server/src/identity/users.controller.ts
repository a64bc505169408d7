import { Role } from '@app/domain';
import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { Allow } from '../auth/access.decorators';
import { IdentityCommandBus } from './identity-command-bus';
import { IdentityDirectory } from './identity-directory';
import {
  CreateUserDto,
  DisableUserDto,
  PageQueryDto,
  ResetPasswordDto,
  RoleGrantDto,
} from './identity.dto';
import { DisableUser, EnableUser, GrantRole, RegisterUser, RevokeRole, SetPassword } from './identity.commands';
import { toUserResponse } from './identity.views';

@Controller('api/users')
export class UsersController {
  constructor(
    private readonly commands: IdentityCommandBus,
    private readonly directory: IdentityDirectory,
  ) {}

  @Get()
  @Allow('users.read')
  list(@Query() { page, perPage }: PageQueryDto) {
    const users = this.directory.allUsers();
    return {
      items: users.slice((page - 1) * perPage, page * perPage).map(toUserResponse),
      page,
      perPage,
      total: users.length,
    };
  }

  @Get(':userId')
  @Allow('users.read')
  get(@Param('userId') userId: string) {
    const user = this.directory.user(userId);
    if (!user) throw new NotFoundException({ rule: 'user.not_found', message: 'ユーザーが見つかりません' });
    return toUserResponse(user);
  }

  @Post()
  @Allow('users.manage')
  async create(@Body() body: CreateUserDto) {
    const result = await this.commands.execute(
      new RegisterUser(body.loginId, body.displayName, body.password, body.divisionId, body.roles ?? [], body.email),
    );
    return { userId: body.loginId, ...result };
  }

  @Post(':userId/roles')
  @Allow('users.manage')
  grantRole(@Param('userId') userId: string, @Body() grant: RoleGrantDto) {
    return this.commands.execute(new GrantRole(userId, grant));
  }

  @Delete(':userId/roles/:role')
  @Allow('users.manage')
  revokeRole(@Param('userId') userId: string, @Param('role') role: Role) {
    return this.commands.execute(new RevokeRole(userId, role));
  }

  @Post(':userId/disable')
  @HttpCode(200)
  @Allow('users.manage')
  disable(@Param('userId') userId: string, @Body() { reason }: DisableUserDto) {
    return this.commands.execute(new DisableUser(userId, reason));
  }

  @Post(':userId/enable')
  @HttpCode(200)
  @Allow('users.manage')
  enable(@Param('userId') userId: string) {
    return this.commands.execute(new EnableUser(userId));
  }

  @Post(':userId/password')
  @HttpCode(200)
  @Allow('users.manage')
  resetPassword(@Param('userId') userId: string, @Body() { newPassword }: ResetPasswordDto) {
    return this.commands.execute(new SetPassword(userId, newPassword, 'administrator'));
  }
}
