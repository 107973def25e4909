import { z } from 'zod';
import { secret } from '../secret.js';
import { durationSchema } from '../duration.js';
import { API_ROLES } from './api.js';

/**
 * One directory group (LDAP/AD) or identity-provider group (OIDC `groups` claim) and what its members may do.
 * `group` matches a group's full DN (`cn=noc,ou=groups,dc=example,dc=com`) or its name (`noc`), case-insensitively.
 */
export const groupRoleSchema = z.strictObject({
  group: z.string().min(1).max(1000),
  role: z.enum(API_ROLES),
  /** The sites this group's members see and act on; absent means every site. */
  sites: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
});
/** One group → role (and sites) line. */
export type GroupRole = z.output<typeof groupRoleSchema>;

const groupsSchema = z.array(groupRoleSchema).min(1, 'expected at least one group → role line: without one nobody could log in').max(1000);

/** A value with `{username}` in it (bind DN templates and search filters). */
const withUsername = (what: string) => z.string().min(1).max(1000).refine((s) => s.includes('{username}'), `expected ${what} containing {username}`);

/** TLS towards the directory: ldaps:// URLs, and `startTls` on ldap:// URLs. */
const ldapTlsSchema = z.strictObject({
  /** PEM file of the CA that signed the directory's certificate (a private company CA); absent means the system's CAs. */
  caFile: z.string().min(1).optional(),
  /** Name the certificate must carry, when it differs from the URL's host. */
  serverName: z.string().min(1).max(253).optional(),
  /** Only for a lab: accept any certificate. A directory login over an unchecked TLS link gives passwords away. */
  insecureSkipVerify: z.boolean().default(false),
}).prefault({});

/** `auth.ldap:` logins checked by binding to an LDAP directory or Active Directory. */
export const ldapSectionSchema = z.strictObject({
  url: z.string().regex(/^ldaps?:\/\/[^/?#\s]+\/?$/, 'expected ldap://host[:port] or ldaps://host[:port]'),
  /** Upgrade an ldap:// connection with StartTLS before any password is sent. */
  startTls: z.boolean().default(false),
  tls: ldapTlsSchema,
  /** Give up connecting after this long (the directory then counts as unavailable). */
  connectTimeout: durationSchema.default(5000),
  /** Give up on one LDAP operation after this long. */
  timeout: durationSchema.default(10_000),
  /** Direct bind: the person's bind name built from the login name (a DN, or `{username}@corp.example.com` for AD); the name is DN-escaped. */
  bindDn: withUsername('a bind name template (a DN, or user@domain for Active Directory)').optional(),
  /** Search-then-bind (Active Directory, or people in several OUs): find the person's entry, then bind as it. */
  search: z.strictObject({
    /** The service account the search runs as; absent means an anonymous search. */
    bindDn: z.string().min(1).max(1000).optional(),
    bindPassword: secret(z.string().min(1).max(1000)).optional(),
    base: z.string().min(1).max(1000),
    /** `{username}` is replaced by the escaped login name (RFC 4515), e.g. `(sAMAccountName={username})`. */
    filter: withUsername('an LDAP filter').default('(uid={username})'),
    scope: z.enum(['one', 'sub']).default('sub'),
  }).optional(),
  /** The attribute whose value becomes the person's name in Noctua (acks, comments, the audit trail). */
  nameAttribute: z.string().min(1).max(100).default('uid'),
  /** Where group membership is read from: the person's own attribute (AD and the memberof overlay), and/or a group search. */
  memberOfAttribute: z.string().min(1).max(100).optional(),
  groupSearch: z.strictObject({
    base: z.string().min(1).max(1000),
    /** `{dn}` is the person's DN, `{username}` the login name, both escaped. */
    filter: z.string().min(1).max(1000).default('(&(objectClass=groupOfNames)(member={dn}))'),
  }).optional(),
  groups: groupsSchema,
}).superRefine((v, ctx) => {
  if ((v.bindDn === undefined) === (v.search === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['bindDn'], message: 'expected exactly one of bindDn (direct bind) and search (search-then-bind)' });
  }
  if (v.search && (v.search.bindDn === undefined) !== (v.search.bindPassword === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['search', 'bindPassword'], message: 'expected search.bindDn and search.bindPassword together (or neither, for an anonymous search)' });
  }
  if (v.memberOfAttribute === undefined && v.groupSearch === undefined) {
    ctx.addIssue({ code: 'custom', path: ['memberOfAttribute'], message: 'expected memberOfAttribute or groupSearch (or both): where to read group membership' });
  }
  if (v.startTls && v.url.startsWith('ldaps:')) {
    ctx.addIssue({ code: 'custom', path: ['startTls'], message: 'expected startTls only with an ldap:// URL (ldaps:// is TLS already)' });
  }
});
/** The validated `auth.ldap:` section. */
export type LdapSection = z.output<typeof ldapSectionSchema>;

/** `auth.oidc:` single sign-on through an OpenID Connect identity provider (authorization code with PKCE). */
export const oidcSectionSchema = z.strictObject({
  /** The provider's issuer URL; its `/.well-known/openid-configuration` is read at the first login. */
  issuer: z.url({ protocol: /^https?$/, error: 'expected the issuer as an http(s) URL' }),
  clientId: z.string().min(1).max(1000),
  /** Write it as `${ENV_NAME}`; absent for a public client (PKCE only). */
  clientSecret: secret(z.string().min(1).max(4000)).optional(),
  /** Where the provider sends people back: Noctua's public URL + `/auth/oidc/callback`, registered at the provider. */
  redirectUrl: z.url({ protocol: /^https?$/, error: 'expected the callback as an http(s) URL ending in /auth/oidc/callback' })
    .refine((u) => new URL(u).pathname.endsWith('/auth/oidc/callback'), 'expected the URL to end in /auth/oidc/callback'),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope name without spaces or quotes')).max(50)
    .default(['openid', 'profile', 'email', 'groups'])
    .refine((s) => s.includes('openid'), 'expected the scope list to include openid'),
  claims: z.strictObject({
    /** The claim whose value becomes the person's name in Noctua. */
    name: z.string().min(1).max(100).default('preferred_username'),
    /** The claim holding the person's groups (a list of strings). */
    groups: z.string().min(1).max(100).default('groups'),
  }).prefault({}),
  /** Only for a lab on loopback: allow an http:// issuer. Tokens over plain HTTP can be read by anyone on the path. */
  allowInsecureHttp: z.boolean().default(false),
  /** How long someone may take at the provider's login page before the login must be started again. */
  loginTimeout: durationSchema.default(600_000),
  /** Give up on one request to the provider after this long. */
  timeout: durationSchema.default(10_000),
  groups: groupsSchema,
}).superRefine((v, ctx) => {
  if (!v.allowInsecureHttp && new URL(v.issuer).protocol === 'http:') {
    ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'expected an https:// issuer (allowInsecureHttp: true only for a lab)' });
  }
});
/** The validated `auth.oidc:` section. */
export type OidcSection = z.output<typeof oidcSectionSchema>;
