import { Empty } from 'antd';
import type { ReactNode } from 'react';

type Props = { title: ReactNode; description?: ReactNode; action?: ReactNode; image?: ReactNode };

/** An empty state says what is missing and what to do next. */
export function EmptyState({ title, description, action, image }: Props) {
  return (
    <div className="hk-empty">
      <Empty
        image={image ?? Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <div>
            <div className="hk-empty-title">{title}</div>
            {description && <div className="hk-empty-description">{description}</div>}
          </div>
        }
      >
        {action}
      </Empty>
    </div>
  );
}
