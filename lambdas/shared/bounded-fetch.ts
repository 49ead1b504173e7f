/**
 * Reading a response body with a size limit: what an OP or AWS answers is read only up to a
 * bound, and the connection is dropped beyond it, so that a huge or endless body costs neither
 * memory nor time.
 */

export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the response is larger than ${limitBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** The body as UTF-8 text, or ResponseTooLargeError once more than `limitBytes` arrived. */
export async function readBounded(res: Response, limitBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limitBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(limitBytes);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
