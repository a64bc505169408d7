import { BadRequestException, INestApplication, Logger, ValidationError, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { actionContext } from '../context/request-context';

export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** What every instance of the HTTP app gets, in the server and in tests alike. */
export function configureApp(app: INestApplication, options: { webDir?: string } = {}): void {
  app.use(helmet());
  // API answers are read models of the moment: a browser must not reuse one (a 304 on an
  // unchanged ETag would hide counts that moved while the version did not).
  app.use('/api', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('cache-control', 'no-store');
    next();
  });
  if (options.webDir) serveWebUi(app, options.webDir);
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

/**
 * The web UI's production build under "/": its files, and its index.html for any
 * other page path, so that a reload of /inbox lands in the app. /api and /health stay the API's.
 */
function serveWebUi(app: INestApplication, directory: string): void {
  const webDir = resolve(directory);
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) {
    new Logger('WebUi').warn(`画面のビルド（${index}）がないため、画面は配信しません。npm run build:web で作れます`);
    return;
  }
  app.use(express.static(webDir, { index: false, maxAge: '1h' }));
  app.use((request: Request, response: Response, next: NextFunction) => {
    const isPage = request.method === 'GET' && !/^\/(api|health)(\/|$)/.test(request.path) && request.accepts('html');
    if (!isPage) return next();
    response.setHeader('cache-control', 'no-cache');
    response.sendFile(index);
  });
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
