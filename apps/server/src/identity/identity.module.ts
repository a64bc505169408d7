import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessGuard } from '../auth/access.guard';
import { AuthController, COOKIE_SECURE } from '../auth/auth.controller';
import { CredentialEntity, SessionEntity } from '../auth/auth.entities';
import { CredentialStore } from '../auth/credential-store';
import { LocalPasswordAuthenticator } from '../auth/local-password.authenticator';
import { SESSION_TTL_MS, SessionService } from '../auth/session.service';
import { IdentityBootstrap, IDENTITY_BOOTSTRAP_OPTIONS, IdentityBootstrapOptions } from './identity-bootstrap';
import { IdentityCommandBus } from './identity-command-bus';
import { IdentityDirectory } from './identity-directory';
import { identityCommandHandlers } from './identity.commands';
import { OrganizationController } from './organization.controller';
import { UsersController } from './users.controller';

export interface IdentityOptions {
  /** Signs session tokens (HS256). */
  sessionSecret: string;
  sessionTtlMs: number;
  /** Send cookies only over HTTPS. */
  cookieSecure: boolean;
}

/**
 * Identity and access: departments and divisions, users and their roles (all
 * event-sourced), sign-in and sessions, and the guard that applies the access
 * rules to every endpoint of the server.
 */
@Module({})
export class IdentityModule {
  static register(options: IdentityOptions): DynamicModule {
    return {
      module: IdentityModule,
      // The directory of people and divisions is what every capability checks against.
      global: true,
      imports: [
        CqrsModule,
        TypeOrmModule.forFeature([CredentialEntity, SessionEntity]),
        // A key object, not the string: jsonwebtoken otherwise tries to parse the string as a public key on every verification.
        JwtModule.register({ secret: createSecretKey(Buffer.from(options.sessionSecret)), signOptions: { algorithm: 'HS256' } }),
        ThrottlerModule.forRoot([{ ttl: 60_000, limit: 10 }]),
      ],
      controllers: [AuthController, UsersController, OrganizationController],
      providers: [
        IdentityDirectory,
        IdentityCommandBus,
        CredentialStore,
        SessionService,
        LocalPasswordAuthenticator,
        ...identityCommandHandlers,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: SESSION_TTL_MS, useValue: options.sessionTtlMs },
        { provide: COOKIE_SECURE, useValue: options.cookieSecure },
      ],
      exports: [IdentityDirectory, IdentityCommandBus],
    };
  }
}

/**
 * The first administrator and the demo users. A module of its own, below the
 * global IdentityModule: Nest runs a global module's start-up hooks first, before
 * the CQRS module has registered the command handlers this needs.
 */
@Module({})
export class IdentityBootstrapModule {
  static register(options: IdentityBootstrapOptions): DynamicModule {
    return {
      module: IdentityBootstrapModule,
      imports: [CqrsModule],
      providers: [IdentityBootstrap, { provide: IDENTITY_BOOTSTRAP_OPTIONS, useValue: options }],
    };
  }
}
