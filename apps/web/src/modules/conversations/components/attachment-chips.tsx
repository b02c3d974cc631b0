import { CloseOutlined, FileOutlined, LoadingOutlined, PaperClipOutlined, PictureOutlined } from '@ant-design/icons';
import { ATTACHMENT_MAX_BYTES, type MessageAttachment } from '@huike/contracts';
import { App, Button, Progress, Tooltip } from 'antd';
import { useCallback, useRef, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ATTACHMENT_ACCEPT,
  ATTACHMENT_MAX_LABEL,
  formatBytes,
  IMAGE_ACCEPT,
  isImageType,
  uploadAttachmentFile,
} from '../../../ui/attachment-upload.ts';
import { errorMessage } from '../../../ui/errors.tsx';
import { randomId } from '../../../ui/ids.ts';

export const MAX_ATTACHMENTS = 10;

/** A file on its way into the next message: uploading, uploaded (has fileId) or failed. */
export type DraftAttachment = {
  key: string;
  name: string;
  contentType: string;
  size: number | null;
  percent: number;
  status: 'uploading' | 'done' | 'error';
  fileId?: string;
  error?: string;
  /** The picked file's name, when the server stored it under another (with the extension of what its bytes are). */
  renamedFrom?: string;
  /** A local preview of an image being uploaded. */
  previewUrl?: string;
  fromTemplate?: boolean;
};

// Per conversation, outside React state: an upload that finishes after the agent switched chats lands in the
// chat it was started in, and the chips survive switching back and forth (like text drafts).
const drafts = new Map<string, DraftAttachment[]>();
const listeners = new Set<() => void>();
const none: DraftAttachment[] = [];

function update(conversationId: string, change: (items: DraftAttachment[]) => DraftAttachment[]) {
  const next = change(drafts.get(conversationId) ?? none);
  if (next.length === 0) drafts.delete(conversationId);
  else drafts.set(conversationId, next);
  for (const listener of listeners) listener();
}

function patch(conversationId: string, key: string, changes: Partial<DraftAttachment>) {
  update(conversationId, (items) => items.map((item) => (item.key === key ? { ...item, ...changes } : item)));
}

/** The composer's attachments of one conversation: add files (upload with progress), add a template's, remove. */
export function useDraftAttachments(conversationId: string) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const subscribe = useCallback((listener: () => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  const items = useSyncExternalStore(subscribe, () => drafts.get(conversationId) ?? none);

  const addFiles = (files: File[]) => {
    const room = MAX_ATTACHMENTS - (drafts.get(conversationId)?.length ?? 0);
    if (files.length > room) void message.warning(t('attachments.tooMany', { count: MAX_ATTACHMENTS }));
    for (const file of files.slice(0, Math.max(0, room))) {
      const key = randomId();
      const name = file.name || 'image.png';
      const contentType = file.type || 'application/octet-stream';
      if (file.size > ATTACHMENT_MAX_BYTES) {
        // Refused before uploading; the chip stays so the agent sees which file was left out, and why.
        const error = t('attachments.overLimit', { size: formatBytes(file.size), limit: ATTACHMENT_MAX_LABEL });
        update(conversationId, (current) => [
          ...current,
          { key, name, contentType, size: file.size, percent: 0, status: 'error', error },
        ]);
        void message.error(t('attachments.tooLarge', { name, limit: ATTACHMENT_MAX_LABEL }));
        continue;
      }
      update(conversationId, (current) => [
        ...current,
        {
          key,
          name,
          contentType,
          size: file.size,
          percent: 0,
          status: 'uploading',
          previewUrl: isImageType(contentType) ? URL.createObjectURL(file) : undefined,
        },
      ]);
      uploadAttachmentFile(file, (percent) => patch(conversationId, key, { percent })).then(
        (uploaded) =>
          patch(conversationId, key, {
            status: 'done',
            percent: 100,
            fileId: uploaded.fileId,
            name: uploaded.name,
            renamedFrom: file.name && file.name !== uploaded.name ? file.name : undefined,
            contentType: uploaded.contentType,
            size: uploaded.size,
          }),
        (error: unknown) => {
          const reason = errorMessage(error, t);
          patch(conversationId, key, { status: 'error', error: reason });
          void message.error(`${file.name || t('attachments.image')}${t('common.colon')}${reason}`);
        },
      );
    }
  };

  /** A template's attachments, already stored: chips the agent can remove before sending. */
  const addUploaded = (attachments: { fileId: string; name: string; contentType: string }[]) => {
    update(conversationId, (current) => {
      const known = new Set(current.map((item) => item.fileId));
      const added = attachments
        .filter((attachment) => !known.has(attachment.fileId))
        .map((attachment) => ({
          ...attachment,
          key: randomId(),
          size: null,
          percent: 100,
          status: 'done' as const,
          fromTemplate: true,
        }));
      return [...current, ...added].slice(0, MAX_ATTACHMENTS);
    });
  };

  const remove = (key: string) =>
    update(conversationId, (current) => {
      const gone = current.find((item) => item.key === key);
      if (gone?.previewUrl) URL.revokeObjectURL(gone.previewUrl);
      return current.filter((item) => item.key !== key);
    });

  const clear = () =>
    update(conversationId, (current) => {
      for (const item of current) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
      return [];
    });

  const ready: MessageAttachment[] = items.flatMap((item) =>
    item.status === 'done' && item.fileId
      ? [
          {
            fileId: item.fileId,
            name: item.name,
            contentType: item.contentType,
            size: item.size ?? 0,
            url: `/api/v1/attachments/${item.fileId}`,
          },
        ]
      : [],
  );
  return {
    items,
    ready,
    isUploading: items.some((item) => item.status === 'uploading'),
    addFiles,
    addUploaded,
    remove,
    clear,
  };
}

/** The composer's 📎 and 🖼 buttons (hidden file inputs behind them). */
export function AttachmentButtons({ onFiles, isDisabled }: { onFiles: (files: File[]) => void; isDisabled: boolean }) {
  const { t } = useTranslation();
  const fileInput = useRef<HTMLInputElement>(null);
  const imageInput = useRef<HTMLInputElement>(null);
  const take = (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length > 0) onFiles(files);
  };
  return (
    <span className="hk-composer-attach">
      <Tooltip title={t('attachments.attachImage')}>
        <Button
          type="text"
          size="small"
          icon={<PictureOutlined />}
          disabled={isDisabled}
          onClick={() => imageInput.current?.click()}
          aria-label={t('attachments.attachImage')}
          data-testid="composer-attach-image"
        />
      </Tooltip>
      <Tooltip title={`${t('attachments.attachFile')}${t('common.colon')}${t('attachments.accepted')}`}>
        <Button
          type="text"
          size="small"
          icon={<PaperClipOutlined />}
          disabled={isDisabled}
          onClick={() => fileInput.current?.click()}
          aria-label={t('attachments.attachFile')}
          data-testid="composer-attach-file"
        />
      </Tooltip>
      <input
        ref={imageInput}
        type="file"
        accept={IMAGE_ACCEPT}
        multiple
        hidden
        onChange={(event) => take(event.currentTarget)}
        data-testid="composer-image-input"
      />
      <input
        ref={fileInput}
        type="file"
        accept={ATTACHMENT_ACCEPT}
        multiple
        hidden
        onChange={(event) => take(event.currentTarget)}
        data-testid="composer-file-input"
      />
    </span>
  );
}

/** The chips above the composer: thumbnail or file icon, name, progress, remove. */
export function AttachmentChips({ items, onRemove }: { items: DraftAttachment[]; onRemove: (key: string) => void }) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <div className="hk-attachment-chips" data-testid="composer-attachments">
      {items.map((item) => {
        const thumb =
          item.previewUrl ??
          (item.fileId && isImageType(item.contentType) ? `/api/v1/attachments/${item.fileId}` : null);
        return (
          <div
            key={item.key}
            className={`hk-attachment-chip hk-attachment-chip-${item.status}`}
            data-testid="composer-attachment"
            data-status={item.status}
            title={
              item.error ??
              (item.renamedFrom ? t('attachments.renamed', { from: item.renamedFrom, to: item.name }) : item.name)
            }
          >
            {thumb ? (
              <img src={thumb} alt="" className="hk-attachment-chip-thumb" />
            ) : (
              <span className="hk-attachment-chip-icon">
                {item.status === 'uploading' ? <LoadingOutlined /> : <FileOutlined />}
              </span>
            )}
            <span className="hk-attachment-chip-body">
              <span className="hk-attachment-chip-name">{item.name}</span>
              <span className="hk-attachment-chip-meta">
                {item.status === 'uploading'
                  ? t('attachments.uploading', { percent: item.percent })
                  : item.status === 'error'
                    ? (item.error ?? t('attachments.uploadFailed'))
                    : item.fromTemplate
                      ? t('attachments.fromTemplate')
                      : item.renamedFrom
                        ? t('attachments.renamedFrom', { name: item.renamedFrom })
                        : item.size !== null
                          ? formatBytes(item.size)
                          : ''}
              </span>
              {item.status === 'uploading' && (
                <Progress
                  percent={item.percent}
                  size="small"
                  showInfo={false}
                  className="hk-attachment-chip-progress"
                />
              )}
            </span>
            <Button
              type="text"
              size="small"
              icon={<CloseOutlined />}
              onClick={() => onRemove(item.key)}
              aria-label={t('attachments.remove')}
              data-testid="composer-attachment-remove"
            />
          </div>
        );
      })}
    </div>
  );
}
