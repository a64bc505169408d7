import { BadRequestException, INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { actionContext } from '../context/request-context';

export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** What every instance of the HTTP app gets, in the server and in tests alike. */
export function configureApp(app: INestApplication): void {
  app.use(helmet());
  app.use(cookieParser());
  // Opens the action context that the access guard fills with the actor and the
  // event writer reads; the correlation id is the request id pino-http assigns.
  app.use((request: Request & { id?: string }, _response: Response, next: NextFunction) => {
    let fallbackId: string | undefined;
    actionContext.run({ correlationId: () => request.id ?? (fallbackId ??= randomUUID()) }, next);
  });
  documentApi(app);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => {
        const problems = flatten(errors);
        return new BadRequestException({
          message: `入力内容に誤りがあります（${problems.length}件）: ${problems.map((problem) => problem.field).join(', ')}`,
          rule: 'request.validation',
          errors: problems,
        });
      },
    }),
  );
}

/** The OpenAPI description of every endpoint, at /api/docs (and /api/docs-json). */
export function documentApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('reform-ledger API')
    .setDescription('行政改革推進計画の進捗管理: commands become events; errors are RFC 9457 problem+json')
    .addBearerAuth()
    .addCookieAuth('rl_session')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'api/docs-json',
  });
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
