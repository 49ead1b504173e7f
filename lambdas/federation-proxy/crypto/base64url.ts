export const b64u = {
  encode: (data: Uint8Array | string): string => Buffer.from(data).toString('base64url'),
  json: (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url'),
};
