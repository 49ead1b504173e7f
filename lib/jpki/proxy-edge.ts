import { Duration, type SecretValue } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';

/** The headers between CloudFront and the proxy (lambdas/federation-proxy/edge.ts reads them). */
export const EDGE_HEADERS = { originHeader: 'x-myna-origin-verify', hostHeader: 'x-myna-viewer-host' } as const;

export interface ProxyEdgeProps {
  readonly functionUrl: lambda.IFunctionUrl;
  /** The web ACL (scope CLOUDFRONT, in us-east-1). */
  readonly webAclArn: string;
  /** The secret CloudFront sends to the origin: a dynamic reference (pinned to a version after a rotation). */
  readonly originSecretValue: SecretValue;
  readonly description: string;
}

/**
 * The federation proxy behind CloudFront with a WAF web ACL: nothing cached, every method
 * (the token endpoint is a POST), every viewer header but Host passed on (a function URL
 * origin must see its own host), the viewer's host copied by a CloudFront Function into a
 * header the proxy takes its issuer from, and an origin secret without which the proxy
 * answers nothing.
 */
export class ProxyEdge extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: ProxyEdgeProps) {
    super(scope, id);
    const viewerHost = new cloudfront.Function(this, 'ViewerHost', {
      comment: 'Copies the viewer Host header for the proxy (its issuer) before Host is replaced by the origin',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        `function handler(event) { var r = event.request; r.headers['${EDGE_HEADERS.hostHeader}'] = { value: r.headers.host.value }; return r; }`,
      ),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.description,
      webAclId: props.webAclArn,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      defaultBehavior: {
        origin: new FunctionUrlOrigin(props.functionUrl, {
          // A dynamic reference: CloudFormation resolves it; the template holds none.
          customHeaders: { [EDGE_HEADERS.originHeader]: props.originSecretValue.unsafeUnwrap() },
          readTimeout: Duration.seconds(30),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        functionAssociations: [{ function: viewerHost, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'A sign-in service for residents of Japan who may be anywhere; the WAF rate limit, not geography, bounds abuse.');
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'CloudFront access logs would record query strings that carry authorization codes and states; the proxy writes its own security events without them.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate allows no minimum protocol setting; the OP and Cognito connect with TLS 1.2 or later.',
    );
  }
}
