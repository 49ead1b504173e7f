/**
 * The texts of what Cognito sends a person: verification codes, invitations and MFA codes,
 * in Japanese (default) or English. Cognito puts the code at {####} and the user name at
 * {username}; SMS texts stay within one message.
 */
import type { UserInvitationConfig, UserVerificationConfig } from 'aws-cdk-lib/aws-cognito';
import type { TenantConfig } from '../config/schema';

export interface UserMessages {
  readonly userVerification: UserVerificationConfig;
  readonly userInvitation: UserInvitationConfig;
  readonly mfaMessage: string;
}

export function userMessagesOf(tenant: Pick<TenantConfig, 'id' | 'messages'>): UserMessages {
  const name = tenant.messages.serviceName ?? tenant.id;
  if (tenant.messages.language === 'en') {
    return {
      userVerification: {
        emailSubject: `${name}: your verification code`,
        emailBody: `Your ${name} verification code is {####}. If you did not ask for it, you can ignore this email.`,
        smsMessage: `${name} verification code: {####}`,
      },
      userInvitation: {
        emailSubject: `${name}: your new account`,
        emailBody: `An account was created for you at ${name}. User name: {username}  Temporary password: {####}`,
        smsMessage: `${name} user name {username} temporary password {####}`,
      },
      mfaMessage: `${name} sign-in code: {####}`,
    };
  }
  return {
    userVerification: {
      emailSubject: `【${name}】確認コードのお知らせ`,
      emailBody: `${name} の確認コードは {####} です。お心当たりのない場合は、このメールを破棄してください。`,
      smsMessage: `${name} の確認コード: {####}`,
    },
    userInvitation: {
      emailSubject: `【${name}】アカウントのご案内`,
      emailBody: `${name} のアカウントを作成しました。ユーザー名: {username} 仮パスワード: {####} 初回サインイン時にパスワードを変更してください。`,
      smsMessage: `${name} ユーザー名 {username} 仮パスワード {####}`,
    },
    mfaMessage: `${name} のサインイン用コード: {####}`,
  };
}
