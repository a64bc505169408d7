import { UserState } from '@app/domain';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/access.decorators';
import { CommandResult } from '../events/command-executor';
import { CommandInterceptor } from '../http/idempotency';
import { IfMatch } from '../http/if-match';
import { MomentQueryDto } from '../http/moment-query.dto';
import { FiscalYearParam } from './fiscal-year.param';
import { IdentityDirectory } from '../identity/identity-directory';
import { ItemReader, itemDivisions } from './item-reader';
import { ChangeItem, CreatedResult, newId } from './plan.commands';
import {
  ApproveEvaluationDto,
  DefineIndicatorDto,
  ReasonDto,
  ReviseIndicatorDto,
  ReviseItemDto,
  SetNextYearPlanDto,
  SetTargetDto,
  SubmitActualDto,
  SubmitEvaluationDto,
} from './plan.dto';

/** Department staff act only on items of their own divisions. */
const ownItems = { targetDivisions: itemDivisions };

@ApiTags('items')
@ApiBearerAuth()
@Controller('api/items/:itemId')
@UseInterceptors(CommandInterceptor)
export class ItemsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly items: ItemReader,
    private readonly directory: IdentityDirectory,
  ) {}

  /** The item as its events tell it now; the ETag is its version. */
  @Get()
  @Allow('plan.read')
  get(@Param('itemId') itemId: string) {
    return this.items.view(itemId);
  }

  /**
   * For auditors: who could act on the item at a moment — the department staff
   * of the divisions it had then, and the reviewers who could approve it.
   */
  @Get('editors')
  @Allow('access.history.read')
  async editors(@Param('itemId') itemId: string, @Query() { at }: MomentQueryDto) {
    const moment = at ? new Date(at) : new Date();
    const { state: item } = await this.items.stateAsOf(itemId, { at: moment });
    const people = (users: UserState[]) => users.map(({ userId, displayName }) => ({ userId, displayName }));
    const staff = new Map(
      item.divisionIds
        .flatMap((divisionId) => this.directory.usersWithRoleAsOf('department_staff', moment, divisionId))
        .map((user) => [user.userId, user]),
    );
    return {
      itemId,
      at: moment.toISOString(),
      divisionIds: item.divisionIds,
      departmentStaff: people([...staff.values()]),
      reviewers: people(this.directory.usersWithRoleAsOf('reviewer', moment)),
    };
  }

  /** 個別項目の修正（理由つき） */
  @Post('revisions')
  @HttpCode(200)
  @Allow('plan.manage')
  revise(@Param('itemId') itemId: string, @Body() body: ReviseItemDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.commands.execute(new ChangeItem(itemId, { type: 'ReviseItem', changes: body.changes, reason: body.reason }, ifMatch));
  }

  /** 指標の定義 */
  @Post('indicators')
  @Allow('plan.manage')
  async defineIndicator(
    @Param('itemId') itemId: string,
    @Body() { indicatorId = newId('ind'), ...indicator }: DefineIndicatorDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CreatedResult> {
    const result: CommandResult = await this.commands.execute(
      new ChangeItem(itemId, { type: 'DefineIndicator', indicatorId, ...indicator }, ifMatch),
    );
    return { id: indicatorId, ...result };
  }

  /** 指標の修正（理由つき。過去の報告は元の定義のまま） */
  @Post('indicators/:indicatorId/revisions')
  @HttpCode(200)
  @Allow('plan.manage')
  reviseIndicator(
    @Param('itemId') itemId: string,
    @Param('indicatorId') indicatorId: string,
    @Body() body: ReviseIndicatorDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(
      new ChangeItem(itemId, { type: 'ReviseIndicator', indicatorId, changes: body.changes, reason: body.reason }, ifMatch),
    );
  }

  /** 目標の設定 */
  @Put('years/:fiscalYear/targets')
  @Allow('targets.set')
  setTarget(
    @Param('itemId') itemId: string,
    @FiscalYearParam() fiscalYear: number,
    @Body() body: SetTargetDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(
      new ChangeItem(itemId, { type: 'SetTarget', fiscalYear, targets: body.targets ?? [], goalText: body.goalText }, ifMatch),
    );
  }

  /** 実績と取組実績の提出 */
  @Put('years/:fiscalYear/actual')
  @Allow('results.submit', ownItems)
  submitActual(
    @Param('itemId') itemId: string,
    @FiscalYearParam() fiscalYear: number,
    @Body() body: SubmitActualDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(
      new ChangeItem(
        itemId,
        { type: 'SubmitActual', fiscalYear, actuals: body.actuals ?? [], narrative: body.narrative, evidenceLinks: body.evidenceLinks ?? [] },
        ifMatch,
      ),
    );
  }

  /** 自己評価の提出 */
  @Put('years/:fiscalYear/self-evaluation')
  @Allow('results.submit', ownItems)
  submitEvaluation(
    @Param('itemId') itemId: string,
    @FiscalYearParam() fiscalYear: number,
    @Body() body: SubmitEvaluationDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(
      new ChangeItem(itemId, { type: 'SubmitEvaluation', fiscalYear, grade: body.grade, comment: body.comment ?? '' }, ifMatch),
    );
  }

  /** 評価の承認（算定結果と異なるときは理由が必要） */
  @Post('years/:fiscalYear/approval')
  @HttpCode(200)
  @Allow('evaluation.review')
  approve(
    @Param('itemId') itemId: string,
    @FiscalYearParam() fiscalYear: number,
    @Body() body: ApproveEvaluationDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(
      new ChangeItem(
        itemId,
        { type: 'ApproveEvaluation', fiscalYear, grade: body.grade, comment: body.comment ?? '', reason: body.reason },
        ifMatch,
      ),
    );
  }

  /** 差し戻し（理由つき） */
  @Post('years/:fiscalYear/return')
  @HttpCode(200)
  @Allow('evaluation.review')
  returnEvaluation(
    @Param('itemId') itemId: string,
    @FiscalYearParam() fiscalYear: number,
    @Body() { reason }: ReasonDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(new ChangeItem(itemId, { type: 'ReturnEvaluation', fiscalYear, reason }, ifMatch));
  }

  /** 承認の取り消し・再開（理由つき） */
  @Post('years/:fiscalYear/reopen')
  @HttpCode(200)
  @Allow('evaluation.review')
  reopen(
    @Param('itemId') itemId: string,
    @FiscalYearParam() fiscalYear: number,
    @Body() { reason }: ReasonDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(new ChangeItem(itemId, { type: 'ReopenEvaluation', fiscalYear, reason }, ifMatch));
  }

  /** 翌年度の取組（その年度の計画と目標） */
  @Put('years/:fiscalYear/plan')
  @Allow('results.submit', ownItems)
  setNextYearPlan(
    @Param('itemId') itemId: string,
    @FiscalYearParam() fiscalYear: number,
    @Body() body: SetNextYearPlanDto,
    @IfMatch() ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.execute(
      new ChangeItem(
        itemId,
        { type: 'SetNextYearPlan', fiscalYear, planText: body.planText, nextTargets: body.nextTargets ?? [] },
        ifMatch,
      ),
    );
  }

  /** 個別項目の廃止（理由つき） */
  @Post('retirement')
  @HttpCode(200)
  @Allow('plan.manage')
  retire(@Param('itemId') itemId: string, @Body() { reason }: ReasonDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.commands.execute(new ChangeItem(itemId, { type: 'RetireItem', reason }, ifMatch));
  }
}
