import type { FastifyBaseLogger } from 'fastify';
import type { AuthSection } from '../config/sections/auth.js';
import type { Authenticator } from './authenticator.js';
import { localAuthenticator } from './local.js';
import type { UserDirectory } from './users.js';

/** What an authenticator is built from. */
export interface AuthenticatorDeps {
  settings: AuthSection;
  users: UserDirectory;
  log?: FastifyBaseLogger;
}

/** Builds one authenticator, or undefined when its settings leave it off. */
export type AuthenticatorFactory = (deps: AuthenticatorDeps) => Authenticator | undefined;

/** The password checkers, asked in this order at login: local users first. A new backend is one line here. */
export const AUTHENTICATORS: readonly AuthenticatorFactory[] = [
  (d) => localAuthenticator(d.users),
];

/** The authenticators the settings turn on, in registry order. */
export function buildAuthenticators(deps: AuthenticatorDeps): Authenticator[] {
  return AUTHENTICATORS.map((f) => f(deps)).filter((a): a is Authenticator => a !== undefined);
}
