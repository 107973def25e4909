import { API_ROLES, type ApiRole } from '../config/sections/api.js';

/** A role, from least to most powerful: viewer reads, operator acts on incidents and maintenance, admin also manages config, users and the audit trail. */
export type Role = ApiRole;
/** Every role, weakest first. */
export const ROLES = API_ROLES;

/** The path a request came through: an API token, a console login, a signed notice link, a chat callback. */
export const VIAS = ['token', 'session', 'link', 'chat'] as const;
/** One path a principal came through. */
export type Via = (typeof VIAS)[number];

/** Who is behind a request; `name` is what acks, comments and the audit trail record. */
export interface Principal {
  name: string;
  role: Role;
  /** The sites this principal sees and acts on; undefined means every site. */
  sites?: string[];
  via: Via;
}

/** True when `role` is at least `needed`. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
