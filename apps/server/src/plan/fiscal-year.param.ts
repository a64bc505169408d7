import { BadRequestException, ExecutionContext, createParamDecorator } from '@nestjs/common';
import { parseFiscalYear } from '@app/domain';
import type { Request } from 'express';

/**
 * The :fiscalYear of the path — 2020, FY2020, R2 or 令和2年度 — as a number.
 * A decorator rather than a pipe: the global ValidationPipe would first turn
 * "R2" into NaN, since the parameter is declared a number.
 */
export const FiscalYearParam = createParamDecorator((_data: unknown, context: ExecutionContext): number =>
  fiscalYearOfPath(context.switchToHttp().getRequest<Request>()),
);

export function fiscalYearOfPath(request: Request): number {
  const fiscalYear = parseFiscalYear(String(request.params.fiscalYear));
  if (fiscalYear === undefined) {
    const message = '年度は 2020、FY2020、R2、令和2年度 のように指定してください';
    throw new BadRequestException({
      rule: 'fiscal_year.unreadable',
      message,
      errors: [{ field: 'fiscalYear', rule: 'fiscal_year.unreadable', message }],
    });
  }
  return fiscalYear;
}
