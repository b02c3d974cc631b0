import { randomBytes } from 'node:crypto';
import type { Client } from './harness.ts';

/** A multipart/form-data body with one file in the field `file`, as a browser's FormData sends it. */
export function multipartFile(filename: string, data: Buffer, contentType = 'application/octet-stream') {
  const boundary = `----huike${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Uploads one attachment as `client`; answers the raw response. */
export const uploadAttachment = (client: Client, filename: string, data: Buffer, contentType?: string) =>
  client.request({ method: 'POST', url: '/api/v1/attachments', ...multipartFile(filename, data, contentType) });

/** The smallest valid PNG (1×1, transparent). */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
