import { Typography } from 'antd';
import type { ReactNode } from 'react';

type Props = { title: ReactNode; subtitle?: ReactNode; extra?: ReactNode };

/** Title on the left, the page's primary action on the right (Ant Design Pro shape). */
export function PageHeader({ title, subtitle, extra }: Props) {
  return (
    <div className="hk-page-header">
      <div>
        <Typography.Title level={4} className="hk-page-title">
          {title}
        </Typography.Title>
        {subtitle && <Typography.Text type="secondary">{subtitle}</Typography.Text>}
      </div>
      {extra && <div className="hk-page-extra">{extra}</div>}
    </div>
  );
}
