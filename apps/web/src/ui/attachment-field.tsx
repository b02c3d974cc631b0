import { UploadOutlined } from '@ant-design/icons';
import { ATTACHMENT_MAX_BYTES } from '@huike/contracts';
import { App, Button, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ATTACHMENT_ACCEPT,
  ATTACHMENT_MAX_LABEL,
  IMAGE_ACCEPT,
  isImageType,
  uploadAttachmentFile,
} from './attachment-upload.ts';

export type StoredAttachment = { fileId: string; name: string; contentType: string };

type Props = {
  value?: StoredAttachment[];
  onChange?: (value: StoredAttachment[]) => void;
  max?: number;
  testId?: string;
};

/** A form control (e.g. a template's attachments): upload with progress, images as thumbnails, remove. */
export function AttachmentField({ value = [], onChange, max = 10, testId = 'attachment-field' }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [uploading, setUploading] = useState<UploadFile[]>([]);

  const stored: UploadFile[] = value.map((item) => ({
    uid: item.fileId,
    name: item.name,
    status: 'done',
    url: `/api/v1/attachments/${item.fileId}`,
    thumbUrl: isImageType(item.contentType) ? `/api/v1/attachments/${item.fileId}` : undefined,
    type: item.contentType,
  }));

  return (
    <div data-testid={testId}>
      <Upload
        listType="picture"
        multiple
        accept={`${IMAGE_ACCEPT},${ATTACHMENT_ACCEPT}`}
        fileList={[...stored, ...uploading]}
        beforeUpload={(file) => {
          if (file.size > ATTACHMENT_MAX_BYTES) {
            void message.error(t('attachments.tooLarge', { name: file.name, limit: ATTACHMENT_MAX_LABEL }));
            return Upload.LIST_IGNORE;
          }
          if (value.length + uploading.length >= max) {
            void message.warning(t('attachments.tooMany', { count: max }));
            return Upload.LIST_IGNORE;
          }
          return true;
        }}
        customRequest={({ file, onProgress, onSuccess, onError }) => {
          const raw = file as File & { uid: string };
          setUploading((list) => [...list, { uid: raw.uid, name: raw.name, status: 'uploading', percent: 0 }]);
          uploadAttachmentFile(raw, (percent) => {
            onProgress?.({ percent });
            setUploading((list) => list.map((item) => (item.uid === raw.uid ? { ...item, percent } : item)));
          }).then(
            (uploaded) => {
              setUploading((list) => list.filter((item) => item.uid !== raw.uid));
              onSuccess?.(uploaded);
              onChange?.([
                ...value,
                { fileId: uploaded.fileId, name: uploaded.name, contentType: uploaded.contentType },
              ]);
            },
            (error: Error) => {
              setUploading((list) => list.filter((item) => item.uid !== raw.uid));
              onError?.(error);
              void message.error(`${raw.name}：${error.message}`);
            },
          );
        }}
        onRemove={(file) => {
          onChange?.(value.filter((item) => item.fileId !== file.uid));
          return true;
        }}
      >
        <Button icon={<UploadOutlined />} data-testid={`${testId}-upload`}>
          {t('attachments.templateUpload')}
        </Button>
      </Upload>
    </div>
  );
}
