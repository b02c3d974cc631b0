import {
  DownloadOutlined,
  FileExcelOutlined,
  FileOutlined,
  FilePdfOutlined,
  FileWordOutlined,
} from '@ant-design/icons';
import type { MessageAttachment } from '@huike/contracts';
import { Image, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatBytes, isImageType } from './attachment-upload.ts';

function FileIcon({ contentType }: { contentType: string }) {
  if (contentType === 'application/pdf') return <FilePdfOutlined />;
  if (contentType.includes('spreadsheetml')) return <FileExcelOutlined />;
  if (contentType.includes('wordprocessingml')) return <FileWordOutlined />;
  return <FileOutlined />;
}

/** A message's files: images as thumbnails that open in the viewer, others as a card with name, size and download. */
export function AttachmentList({ attachments }: { attachments: MessageAttachment[] }) {
  const { t } = useTranslation();
  if (attachments.length === 0) return null;
  const images = attachments.filter((attachment) => isImageType(attachment.contentType));
  const others = attachments.filter((attachment) => !isImageType(attachment.contentType));
  return (
    <div className="hk-attachments" data-testid="message-attachments">
      {images.length > 0 && (
        <Image.PreviewGroup>
          <div className="hk-attachment-images">
            {images.map((image) => (
              <Image
                key={image.fileId}
                src={image.url}
                alt={image.name}
                width={120}
                height={120}
                className="hk-attachment-thumb"
                data-testid="attachment-image"
                title={t('attachments.openImage')}
              />
            ))}
          </div>
        </Image.PreviewGroup>
      )}
      {others.map((file) => (
        <a
          key={file.fileId}
          className="hk-attachment-file"
          href={file.url}
          download={file.name}
          data-testid="attachment-file"
          target="_blank"
          rel="noopener noreferrer"
        >
          <span className="hk-attachment-file-icon">
            <FileIcon contentType={file.contentType} />
          </span>
          <span className="hk-attachment-file-body">
            <span className="hk-attachment-file-name">{file.name}</span>
            <span className="hk-attachment-file-size">{formatBytes(file.size)}</span>
          </span>
          <Tooltip title={t('attachments.download')}>
            <DownloadOutlined />
          </Tooltip>
        </a>
      ))}
    </div>
  );
}
