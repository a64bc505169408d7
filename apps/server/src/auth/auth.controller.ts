import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import { IdentityCommandBus } from '../identity/identity-command-bus';
import { SetPassword } from '../identity/identity.commands';
import { toUserResponse } from '../identity/identity.views';
import { IdentityDirectory } from '../identity/identity-directory';
import { Public, SignedIn } from './access.decorators';
import type { SignedInRequest } from './access.guard';
import { clearSessionCookies, setSessionCookies } from './auth.cookies';
import { ChangePasswordDto, LoginDto } from './auth.dto';
import { LocalPasswordAuthenticator } from './local-password.authenticator';
import { SessionService } from './session.service';

export const COOKIE_SECURE = Symbol('COOKIE_SECURE');

/** Ten sign-in attempts a minute from one address; the eleventh is 429. */
const SIGN_IN_LIMIT = { default: { limit: 10, ttl: 60_000 } };

const refused = () =>
  new UnauthorizedException({
    rule: 'authentication.failed',
    message: 'ログインIDまたはパスワードが正しくありません',
  });

@Controller('api/auth')
export class AuthController {
  private readonly logger = new Logger('SignIn');

  constructor(
    private readonly authenticator: LocalPasswordAuthenticator,
    private readonly sessions: SessionService,
    private readonly directory: IdentityDirectory,
    private readonly commands: IdentityCommandBus,
    @Inject(COOKIE_SECURE) private readonly cookieSecure: boolean,
  ) {}

  /** For the browser: the session goes into an HttpOnly cookie, never into the page. */
  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle(SIGN_IN_LIMIT)
  async login(@Body() { loginId, password }: LoginDto, @Res({ passthrough: true }) response: Response) {
    const session = await this.signIn(loginId, password);
    const userId = session.userId;
    setSessionCookies(response, session, this.cookieSecure);
    return { user: toUserResponse(this.directory.user(userId)!), csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  }

  /** For API clients: a Bearer token in the body, no cookie. */
  @Post('token')
  @HttpCode(200)
  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle(SIGN_IN_LIMIT)
  async token(@Body() { loginId, password }: LoginDto) {
    const session = await this.signIn(loginId, password);
    return { accessToken: session.token, tokenType: 'Bearer', expiresAt: session.expiresAt };
  }

  private async signIn(loginId: string, password: string) {
    const userId = await this.authenticator.authenticate(loginId, password);
    if (!userId) {
      this.logger.warn({ loginId }, 'sign-in refused');
      throw refused();
    }
    const session = await this.sessions.issue(userId);
    this.logger.log({ userId, sessionId: session.sessionId }, 'signed in');
    return { ...session, userId };
  }

  @Post('logout')
  @HttpCode(204)
  @SignedIn()
  async logout(@Req() request: SignedInRequest, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.sessions.revoke(request.session.sessionId);
    clearSessionCookies(response, this.cookieSecure);
  }

  @Get('me')
  @SignedIn()
  me(@Req() request: SignedInRequest) {
    return toUserResponse(request.session.user);
  }

  /** Changes one's own password; every other session of the person ends. */
  @Post('password')
  @HttpCode(204)
  @SignedIn()
  async changePassword(@Req() request: SignedInRequest, @Body() body: ChangePasswordDto): Promise<void> {
    const { userId, sessionId } = request.session;
    if (!(await this.authenticator.authenticate(userId, body.currentPassword))) {
      const message = '現在のパスワードが正しくありません';
      throw new UnprocessableEntityException({
        rule: 'password.current_mismatch',
        message,
        errors: [{ field: 'currentPassword', rule: 'password.current_mismatch', message }],
      });
    }
    await this.commands.execute(new SetPassword(userId, body.newPassword, 'self', sessionId));
  }
}
