export const b64u = {
  encode: (data: Uint8Array | string): string => Buffer.from(data).toString('base64url'),
  decode: (text: string): Buffer => Buffer.from(text, 'base64url'),
  json: (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url'),
};
