import { API_ROLES, type ApiRole } from '../config/sections/api.js';
import type { GroupRole } from '../config/sections/auth-directory.js';

/** What a directory or identity-provider login grants: a role and, for a branch team, its sites. */
export interface GrantedAccess { role: ApiRole; sites?: string[] }

/** A DN compared as directories do for our purpose: case-insensitively, without spaces around `,` and `=`. */
function normalDn(dn: string): string {
  return dn.trim().toLowerCase().replace(/\s*([,=+])\s*/g, '$1');
}

/** The value of a DN's first RDN (`cn=noc,ou=groups,…` → `noc`); a plain name (no `=`) is its own name. */
function groupName(group: string): string {
  const first = /^[^=,]+=((?:\\.|[^,+\\])+)/.exec(normalDn(group));
  return first ? first[1]! : group.trim().toLowerCase();
}

/**
 * Maps a person's groups to what they may do. The strongest matching role wins; the sites are those of the
 * lines that grant that role (every site when one of those lines names none). Lines for weaker roles never widen
 * the sites of a stronger one. Undefined when no group is mapped: such a person is refused.
 */
export function accessFromGroups(groups: readonly string[], table: readonly GroupRole[]): GrantedAccess | undefined {
  const dns = new Set(groups.filter((g) => g.includes('=')).map(normalDn));
  const names = new Set(groups.map(groupName));
  // A line written as a DN matches only that DN; a line written as a name matches that group name in any OU.
  const matched = table.filter((line) => (line.group.includes('=') ? dns.has(normalDn(line.group)) : names.has(groupName(line.group))));
  if (matched.length === 0) return undefined;
  const role = API_ROLES[Math.max(...matched.map((m) => API_ROLES.indexOf(m.role)))]!;
  const top = matched.filter((m) => m.role === role);
  if (top.some((m) => m.sites === undefined)) return { role };
  return { role, sites: [...new Set(top.flatMap((m) => m.sites ?? []))].sort() };
}
