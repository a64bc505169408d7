import { Body, Controller, Get, NotFoundException, Param, Post, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { UBE_GRADING_RULE_V1 } from '@app/domain';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/access.decorators';
import { CommandInterceptor } from '../http/idempotency';
import { IfMatch } from '../http/if-match';
import { CreatedResult, ChangePlan, PlanReader, RegisterItem, newId } from './plan.commands';
import { AddBasicItemDto, AddPolicyAreaDto, RegisterItemDto, RegisterPlanDto } from './plan.dto';

@ApiTags('plan')
@ApiBearerAuth()
@Controller('api/plans')
@UseInterceptors(CommandInterceptor)
export class PlansController {
  constructor(
    private readonly commands: CommandBus,
    private readonly plans: PlanReader,
  ) {}

  /** 計画の登録 */
  @Post()
  @Allow('plan.manage')
  async registerPlan(@Body() body: RegisterPlanDto): Promise<CreatedResult> {
    const { gradingRule = { id: UBE_GRADING_RULE_V1.id, version: UBE_GRADING_RULE_V1.version }, ...plan } = body;
    const result = await this.commands.execute(
      new ChangePlan(body.planId, { type: 'RegisterPlan', ...plan, gradingRule }),
    );
    return { id: body.planId, ...result };
  }

  @Get(':planId')
  @Allow('plan.read')
  async get(@Param('planId') planId: string) {
    const plan = await this.plans.plan(planId);
    if (plan.status !== 'active') throw new NotFoundException({ rule: 'plan.not_found', message: '計画が見つかりません' });
    return plan;
  }

  /** 取組方針の追加 */
  @Post(':planId/policy-areas')
  @Allow('plan.manage')
  async addPolicyArea(
    @Param('planId') planId: string,
    @Body() body: AddPolicyAreaDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CreatedResult> {
    const policyAreaId = body.policyAreaId ?? newId('pa');
    const result = await this.commands.execute(
      new ChangePlan(planId, { type: 'AddPolicyArea', policyAreaId, number: body.number, title: body.title }, ifMatch),
    );
    return { id: policyAreaId, ...result };
  }

  /** 基本項目の追加 */
  @Post(':planId/basic-items')
  @Allow('plan.manage')
  async addBasicItem(
    @Param('planId') planId: string,
    @Body() body: AddBasicItemDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CreatedResult> {
    const basicItemId = body.basicItemId ?? newId('bi');
    const result = await this.commands.execute(
      new ChangePlan(planId, { type: 'AddBasicItem', basicItemId, policyAreaId: body.policyAreaId, title: body.title }, ifMatch),
    );
    return { id: basicItemId, ...result };
  }

  /** 個別項目の登録 */
  @Post(':planId/items')
  @Allow('plan.manage')
  async registerItem(@Param('planId') planId: string, @Body() body: RegisterItemDto): Promise<CreatedResult> {
    const itemId = body.itemId ?? newId('item');
    const result = await this.commands.execute(
      new RegisterItem({
        type: 'RegisterItem',
        itemId,
        planId,
        basicItemId: body.basicItemId,
        number: body.number,
        title: body.title,
        divisionIds: body.divisionIds,
        description: body.description ?? '',
        schedulePhases: body.schedulePhases ?? [],
        ...(body.qualitativeGoal ? { qualitativeGoal: body.qualitativeGoal } : {}),
      }),
    );
    return { id: itemId, ...result };
  }
}
