import { CfnManagedLoginBranding, type UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { BrandingAsset } from '../config/loader';
import type { TenantConfig } from '../config/schema';

export interface ManagedLoginBrandingProps {
  readonly userPool: UserPool;
  /** The clients to style: managed login branding is per app client. */
  readonly clients: ReadonlyMap<string, UserPoolClient>;
  /** The tenant's `branding` section. */
  readonly branding: TenantConfig['branding'];
  /** The logo file, already read and checked by the loader. */
  readonly logo?: BrandingAsset;
}

/** `#0B5FFF` -> `0b5fffff`: Cognito's branding settings take RGBA hex without '#'. */
function rgba(hex: string): string {
  const h = hex.replace('#', '').toLowerCase();
  return h.length === 6 ? `${h}ff` : h;
}

/**
 * The managed login branding settings document for the tenant's colours (light mode). Keys
 * follow the documented settings document (`categories`, `componentClasses`, `components`:
 * Cognito API reference, DescribeManagedLoginBrandingByClient, example response); anything not
 * set keeps Cognito's value.
 */
export function brandingSettings(colors: { primary: string; pageBackground: string; formBackground: string }, hasLogo: boolean) {
  return {
    categories: { global: { colorSchemeMode: 'LIGHT' } },
    // Links are a component class (like inputs and dividers), not a component.
    componentClasses: {
      link: { lightMode: { defaults: { textColor: rgba(colors.primary) } } },
    },
    components: {
      primaryButton: { lightMode: { defaults: { backgroundColor: rgba(colors.primary), textColor: 'ffffffff' } } },
      pageBackground: { lightMode: { color: rgba(colors.pageBackground) } },
      form: {
        lightMode: { backgroundColor: rgba(colors.formBackground) },
        ...(hasLogo ? { logo: { enabled: true, location: 'CENTER', position: 'TOP', formInclusion: 'IN' } } : {}),
      },
    },
  };
}

/** Managed login branding (L1 only in aws-cdk-lib) for each of the tenant's app clients. */
export class ManagedLoginBranding extends Construct {
  constructor(scope: Construct, id: string, props: ManagedLoginBrandingProps) {
    super(scope, id);
    const { branding, logo } = props;
    for (const [name, client] of props.clients) {
      if (branding.style === 'cognito-defaults') {
        new CfnManagedLoginBranding(this, name, {
          userPoolId: props.userPool.userPoolId,
          clientId: client.userPoolClientId,
          useCognitoProvidedValues: true,
        });
        continue;
      }
      new CfnManagedLoginBranding(this, name, {
        userPoolId: props.userPool.userPoolId,
        clientId: client.userPoolClientId,
        useCognitoProvidedValues: false,
        settings: brandingSettings(branding.colors, logo !== undefined),
        assets: logo ? [{ category: 'FORM_LOGO', colorMode: 'LIGHT', extension: logo.extension, bytes: logo.base64 }] : undefined,
      });
    }
  }
}
