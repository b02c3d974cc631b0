import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { type ImportKind, importTemplateCsv } from '@huike/contracts';
import { Alert, Segmented, Space, Typography, Upload } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';

/** What the server accepts (config default); shown to the user before they pick a file. */
export const maxUploadMb = 200;

type Props = {
  kind: ImportKind;
  kinds: ImportKind[];
  onKind: (kind: ImportKind) => void;
  isUploading: boolean;
  error: unknown;
  onFile: (file: File) => void;
};

/** Step 1: what to import and the file (drag and drop or click). */
export function UploadStep({ kind, kinds, onKind, isUploading, error, onFile }: Props) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      {kinds.length > 1 && (
        <Space>
          <Typography.Text>{t('imports.kindLabel')}</Typography.Text>
          <Segmented<ImportKind>
            value={kind}
            onChange={onKind}
            options={kinds.map((value) => ({ value, label: t(`imports.kinds.${value}`) }))}
            data-testid="import-kind"
          />
        </Space>
      )}
      {error ? <Alert type="error" showIcon title={errorMessage(error, t)} data-testid="import-upload-error" /> : null}
      <Upload.Dragger
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        multiple={false}
        showUploadList={false}
        disabled={isUploading}
        beforeUpload={(file) => {
          onFile(file);
          return Upload.LIST_IGNORE;
        }}
        data-testid="import-dropzone"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{isUploading ? t('imports.uploading') : t('imports.dropHint')}</p>
        <p className="ant-upload-hint">{t('imports.formatHint', { mb: maxUploadMb })}</p>
      </Upload.Dragger>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {kind === 'customers' ? t('imports.customersHelp') : t('imports.ordersHelp')}
      </Typography.Paragraph>
      <Space wrap>
        {kinds.map((value) => (
          <Typography.Link
            key={value}
            // The template is small and built from the contracts' field list: a data URL, no request.
            href={`data:text/csv;charset=utf-8,${encodeURIComponent(importTemplateCsv(value))}`}
            download={t('imports.templateFile', { kind: t(`imports.kinds.${value}`) })}
            data-testid={`import-template-${value}`}
          >
            <DownloadOutlined /> {t(`imports.templates.${value}`)}
          </Typography.Link>
        ))}
        <Typography.Text type="secondary">{t('imports.templateHelp')}</Typography.Text>
      </Space>
    </Space>
  );
}
