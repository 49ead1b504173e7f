/** The pool's mail, delivered to the local mailbox (/mailbox) instead of sent. */
import { randomInt } from 'node:crypto';
import type { StandInState } from './state';
import type { User } from './users';

export function sendMail(s: StandInState, to: string, subject: string, body: string, purpose: string): void {
  s.mailbox.push({ to, subject, body, purpose, sentAt: new Date().toISOString() });
  s.log(`mail to ${to.replace(/^(.).*@/, '$1…@')}: ${purpose}`);
}

/** A sign-up confirmation code of 6 digits, valid for 24 hours, from the pool's verification message. */
export function sendConfirmationCode(s: StandInState, user: User): void {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  user.confirmationCode = { code, expires: Date.now() + 24 * 3600_000 };
  sendMail(s, user.attributes.get('email')!, s.pool.verification.emailSubject, s.pool.verification.emailMessage.replace('{####}', code), 'sign-up confirmation code');
}
