import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { actionContext } from '../context/request-context';
import { IdentityDirectory, UserView } from '../identity/identity-directory';
import { decideAccess, describeRefusal } from './access-rules';
import { ACCESS_METADATA, AccessRequirement } from './access.decorators';
import { SESSION_COOKIE } from './auth.cookies';
import { SessionClaims, SessionService } from './session.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SignedInRequest extends Request {
  session: SessionClaims & { user: UserView };
}

/**
 * The one gate every endpoint passes: who is asking (a session, from the
 * Authorization header or the session cookie), whether a cookie-borne change
 * carries its CSRF token, and whether the access rules let them. It records the
 * actor — user, role used, division — for everything the request writes.
 * An endpoint that declares no rule is refused: access is never implicit.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly services: ModuleRef,
    private readonly sessions: SessionService,
    private readonly directory: IdentityDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<AccessRequirement | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requirement) {
      throw new ForbiddenException({ rule: 'access.undeclared', message: 'この操作にはアクセス規則が定められていません' });
    }
    if (requirement.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<SignedInRequest>();
    const { session, user } = await this.signIn(request);
    request.session = { ...session, user };
    const acting = actionContext.current();

    if (requirement.kind === 'signed-in') {
      if (acting) acting.actor = { userId: user.userId, role: 'self', department: user.divisionId };
      return true;
    }
    const decision = await decideAccess(requirement.permission, user.roles, async () =>
      requirement.targetDivisions ? requirement.targetDivisions(request, this.services) : [],
    );
    if (!decision.allowed) {
      throw new ForbiddenException({
        ...decision,
        permission: requirement.permission,
        message: describeRefusal(decision),
      });
    }
    if (acting) {
      acting.actor = { userId: user.userId, role: decision.role, department: decision.division ?? user.divisionId };
    }
    return true;
  }

  private async signIn(request: Request): Promise<{ session: SessionClaims; user: UserView }> {
    const header = request.header('authorization');
    const bearer = header?.match(/^Bearer (.+)$/i)?.[1];
    const cookie: unknown = request.cookies?.[SESSION_COOKIE];
    const token = bearer ?? (typeof cookie === 'string' ? cookie : undefined);
    const session = token ? await this.sessions.authenticate(token) : undefined;
    if (!session) {
      throw new UnauthorizedException({ rule: 'authentication.required', message: 'ログインしてください' });
    }
    const user = this.directory.user(session.userId);
    if (!user || user.status !== 'active') {
      throw new UnauthorizedException({ rule: 'authentication.user_inactive', message: 'このアカウントは利用できません' });
    }
    // A browser sends cookies on its own; only a page of ours can read the CSRF token to echo it.
    if (!bearer && !SAFE_METHODS.has(request.method) && request.header('x-csrf-token') !== session.csrf) {
      throw new ForbiddenException({ rule: 'csrf.token_mismatch', message: 'CSRFトークンがないか、一致しません' });
    }
    return { session, user };
  }
}
