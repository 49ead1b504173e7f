/**
 * The SNS default sender id is a setting of the whole account and region (SetSMSAttributes),
 * not a resource: a stack that sets it must give back what was there before when it goes.
 * The values found at create time travel in the custom resource's physical id, which
 * CloudFormation keeps and hands back on update and delete.
 */

export type SmsAttributes = { DefaultSenderID?: string; DefaultSMSType?: string };

export interface SmsSettings {
  get(names: ReadonlyArray<keyof SmsAttributes>): Promise<SmsAttributes>;
  set(attributes: SmsAttributes): Promise<void>;
}

const PREFIX = 'sms-sender-id';
const MANAGED: ReadonlyArray<keyof SmsAttributes> = ['DefaultSenderID', 'DefaultSMSType'];

export const physicalIdOf = (region: string, previous: SmsAttributes) =>
  `${PREFIX}:${region}:${Buffer.from(JSON.stringify(previous)).toString('base64url')}`;

/** The values found before this stack set its own, or undefined for an id this code did not make. */
export function previousOf(physicalId: string): SmsAttributes | undefined {
  const [prefix, , encoded] = physicalId.split(':');
  if (prefix !== PREFIX || !encoded) return undefined;
  try {
    const v = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as SmsAttributes;
    return Object.fromEntries(MANAGED.filter((k) => typeof v[k] === 'string').map((k) => [k, v[k]]));
  } catch {
    return undefined;
  }
}

/**
 * Create, or update in the same region: remember what was there before this stack (read now on
 * create, kept from the physical id on update), then set ours. Returns the physical id; a new
 * one (another region) makes CloudFormation delete the old resource, which restores its region.
 */
export async function applySenderId(sns: SmsSettings, region: string, wanted: SmsAttributes, physicalId?: string): Promise<string> {
  const kept = physicalId?.split(':')[1] === region ? previousOf(physicalId) : undefined;
  const previous = kept ?? (await sns.get(MANAGED));
  await sns.set(wanted);
  return physicalIdOf(region, previous);
}

/** Delete: put back what was there before (an empty value unsets the sender id). */
export async function restoreSenderId(sns: SmsSettings, physicalId: string): Promise<void> {
  const previous = previousOf(physicalId);
  if (!previous) return;
  await sns.set({ DefaultSenderID: previous.DefaultSenderID ?? '', ...(previous.DefaultSMSType ? { DefaultSMSType: previous.DefaultSMSType } : {}) });
}
