/**
 * The users of the stand-in's user pool, in memory: attributes, status, password (scrypt),
 * passkeys and linked provider identities, as Cognito keeps them (AdminGetUser's shape).
 */
import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import type { UserPoolModel } from './template';

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'EXTERNAL_PROVIDER' | 'FORCE_CHANGE_PASSWORD';

export interface Passkey {
  readonly id: string;
  readonly publicKey: Uint8Array;
  counter: number;
  readonly transports?: string[];
  readonly createdAt: Date;
}

/** An identity of an external IdP linked to this user (the `identities` attribute's entries). */
export interface LinkedIdentity {
  readonly providerName: string;
  readonly providerType: string;
  readonly userId: string;
  readonly primary: boolean;
  readonly dateCreated: number;
}

export interface User {
  /** Cognito's username: a UUID (= sub) in a pool whose username is the email, `<Provider>_<sub>` for a federated user. */
  readonly username: string;
  readonly attributes: Map<string, string>;
  status: UserStatus;
  enabled: boolean;
  passwordHash?: string;
  readonly createdAt: Date;
  modifiedAt: Date;
  readonly passkeys: Passkey[];
  /** External identities linked to this (native) user with AdminLinkProviderForUser. */
  readonly links: LinkedIdentity[];
  /** The sign-up confirmation code (and how often it was tried). */
  confirmationCode?: { code: string; expires: number; attempts?: number };
  /** An email sign-in code (EMAIL_OTP), kept apart from the confirmation code. */
  signInCode?: { code: string; expires: number; attempts: number };
}

export class UserError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
    this.name = type;
  }
}

const hashPassword = (password: string) => {
  const salt = randomBytes(16);
  return `${salt.toString('base64')}:${scryptSync(password, salt, 32).toString('base64')}`;
};

export class UserStore {
  private readonly users = new Map<string, User>();

  constructor(private readonly pool: UserPoolModel) {}

  private key(username: string) {
    return this.pool.caseSensitiveUsernames ? username : username.toLowerCase();
  }

  all(): User[] {
    return [...this.users.values()];
  }

  get(username: string): User | undefined {
    return this.users.get(this.key(username));
  }

  /** A user by the name a person signs in with: the username, or the email where the pool's username attribute is email. */
  bySignInName(name: string): User | undefined {
    const direct = this.get(name);
    if (direct) return direct;
    if (!this.pool.usernameAttributes.includes('email')) return undefined;
    const email = name.toLowerCase();
    return this.all().find((u) => u.status !== 'EXTERNAL_PROVIDER' && u.attributes.get('email')?.toLowerCase() === email);
  }

  /** The user a federated identity signs in as: the native user it is linked to, else `<Provider>_<sub>`. */
  byIdentity(providerName: string, userId: string): { user?: User; linkedTo?: User } {
    const linkedTo = this.all().find((u) => u.status !== 'EXTERNAL_PROVIDER' && u.links.some((l) => l.providerName === providerName && l.userId === userId));
    return { linkedTo, user: this.get(`${providerName}_${userId}`) };
  }

  /** Creates a native user from sign-up (email as username attribute: the username is the sub). */
  createNative(email: string, password: string, attributes: Record<string, string> = {}): User {
    if (this.bySignInName(email)) throw new UserError('UsernameExistsException', 'An account with the given email already exists.');
    const sub = randomUUID();
    const username = this.pool.usernameAttributes.length ? sub : email;
    const now = new Date();
    const user: User = {
      username,
      attributes: new Map([['sub', sub], ['email', email], ['email_verified', 'false'], ...Object.entries(attributes)]),
      status: 'UNCONFIRMED',
      enabled: true,
      passwordHash: hashPassword(password),
      createdAt: now,
      modifiedAt: now,
      passkeys: [],
      links: [],
    };
    this.users.set(this.key(username), user);
    return user;
  }

  /** Creates the user of a federated identity's first sign-in (status EXTERNAL_PROVIDER). */
  createFederated(providerName: string, providerType: string, userId: string, attributes: Record<string, string>): User {
    const username = `${providerName}_${userId}`;
    const now = new Date();
    const user: User = {
      username,
      attributes: new Map([['sub', randomUUID()], ...Object.entries(attributes)]),
      status: 'EXTERNAL_PROVIDER',
      enabled: true,
      createdAt: now,
      modifiedAt: now,
      passkeys: [],
      links: [{ providerName, providerType, userId, primary: true, dateCreated: now.getTime() }],
    };
    user.attributes.set('identities', identitiesAttribute(user));
    this.users.set(this.key(username), user);
    return user;
  }

  delete(username: string) {
    this.users.delete(this.key(username));
  }

  checkPassword(user: User, password: string): boolean {
    if (!user.passwordHash) return false;
    const [salt, hash] = user.passwordHash.split(':') as [string, string];
    const actual = scryptSync(password, Buffer.from(salt, 'base64'), 32);
    return timingSafeEqual(actual, Buffer.from(hash, 'base64'));
  }

  setAttributes(user: User, attributes: Record<string, string | undefined>) {
    for (const [k, v] of Object.entries(attributes)) {
      if (v === undefined) user.attributes.delete(k);
      else user.attributes.set(k, v);
    }
    user.modifiedAt = new Date();
  }

  link(user: User, identity: Omit<LinkedIdentity, 'dateCreated' | 'primary'>) {
    user.links.push({ ...identity, primary: false, dateCreated: Date.now() });
    user.attributes.set('identities', identitiesAttribute(user));
    user.modifiedAt = new Date();
  }
}

/** The `identities` attribute, as Cognito writes it: a JSON array of the linked identities. */
export function identitiesAttribute(user: User): string {
  return JSON.stringify(user.links.map((l) => ({ userId: l.userId, providerName: l.providerName, providerType: l.providerType, issuer: null, primary: String(l.primary), dateCreated: String(l.dateCreated) })));
}

/** Password policy check with Cognito's messages (InvalidPasswordException). */
export function checkPasswordPolicy(pool: UserPoolModel, password: string): string | undefined {
  const p = pool.passwordPolicy;
  const prefix = 'Password did not conform with policy: ';
  if (password.length < p.minimumLength) return `${prefix}Password not long enough`;
  if (p.requireLowercase && !/[a-z]/.test(password)) return `${prefix}Password must have lowercase characters`;
  if (p.requireUppercase && !/[A-Z]/.test(password)) return `${prefix}Password must have uppercase characters`;
  if (p.requireNumbers && !/[0-9]/.test(password)) return `${prefix}Password must have numeric characters`;
  if (p.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(password)) return `${prefix}Password must have symbol characters`;
  return undefined;
}
