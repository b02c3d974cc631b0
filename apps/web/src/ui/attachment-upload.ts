import { ATTACHMENT_MAX_BYTES, type UploadedAttachment } from '@huike/contracts';
import { ApiError, currentCsrfToken } from '../api/client.ts';

/** Kinds the server accepts (it sniffs the bytes anyway); used for the file pickers' `accept`. */
export const ATTACHMENT_ACCEPT = '.png,.jpg,.jpeg,.gif,.webp,.pdf,.xlsx,.docx,.txt';
export const IMAGE_ACCEPT = 'image/png,image/jpeg,image/gif,image/webp';
/** The size limit as people read it ("10 MB"), for messages. */
export const ATTACHMENT_MAX_LABEL = `${ATTACHMENT_MAX_BYTES / 1024 / 1024} MB`;

/**
 * Uploads one file to `POST /api/v1/attachments` as multipart (XHR, so the caller sees progress 0–100).
 * Rejects with an ApiError carrying the server's message (wrong type, too large…).
 */
export function uploadAttachmentFile(
  file: File,
  onProgress: (percent: number) => void,
  signal?: AbortSignal,
): Promise<UploadedAttachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/attachments');
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = currentCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.min(99, Math.round((event.loaded / event.total) * 100)));
    };
    xhr.onload = () => {
      let payload: unknown;
      try {
        payload = JSON.parse(xhr.responseText);
      } catch {
        payload = undefined;
      }
      if (xhr.status === 201) {
        onProgress(100);
        resolve(payload as UploadedAttachment);
        return;
      }
      const error = (payload as { error?: { code?: string; message?: string } } | undefined)?.error;
      reject(new ApiError(xhr.status, error?.code ?? `http.${xhr.status}`, error?.message ?? '上传失败'));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network.unreachable', '无法连接服务器，请检查网络后重试'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file.name || 'image.png');
    xhr.send(form);
  });
}

/** 1.2 MB, 830 KB, 12 B. */
export function formatBytes(size: number): string {
  if (size >= 1024 * 1024) return `${(size / 1024 / 1024).toFixed(1)} MB`;
  if (size >= 1024) return `${Math.round(size / 1024)} KB`;
  return `${size} B`;
}

export const isImageType = (contentType: string) => contentType.startsWith('image/');
