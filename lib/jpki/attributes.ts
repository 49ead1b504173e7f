/**
 * The user pool attributes My Number Card (JPKI) federation writes, declared in one place.
 *
 * The four basic attributes (基本4情報) land in Cognito's standard attributes; what only the
 * JPKI federation knows lands in custom attributes. Attributes that an identity provider maps
 * must be mutable (Cognito rewrites them at every federated sign-in).
 * The Individual Number (個人番号) is never among them.
 */
import { StringAttribute, type ICustomAttribute, type StandardAttributes } from 'aws-cdk-lib/aws-cognito';

/** Custom attributes (without the `custom:` prefix) with their meaning. */
export const jpkiCustomAttributes = {
  /** ISO 8601 time of the latest My Number Card verification. */
  jpki_verified_at: new StringAttribute({ minLen: 20, maxLen: 30, mutable: true }),
  /** Authentication context class of the latest verification, as the OP reported it. */
  jpki_acr: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
  /** Issuer of the verification (the Digital Agency OP's issuer URL). */
  jpki_issuer: new StringAttribute({ minLen: 1, maxLen: 255, mutable: true }),
  /** JWS by the federation proxy over the verified values: tells them from values edited later. */
  jpki_attestation: new StringAttribute({ minLen: 1, maxLen: 2048, mutable: true }),
} satisfies Record<string, ICustomAttribute>;

/**
 * Standard attributes of the pool. None is required: a person who signs up with the card
 * brings no email address, and a required attribute would make that sign-up fail.
 */
export const standardAttributes: StandardAttributes = {
  email: { required: false, mutable: true },
  phoneNumber: { required: false, mutable: true },
  fullname: { required: false, mutable: true },
  address: { required: false, mutable: true },
  birthdate: { required: false, mutable: true },
  gender: { required: false, mutable: true },
};
