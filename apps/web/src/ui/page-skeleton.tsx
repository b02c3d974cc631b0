import { Card, Skeleton } from 'antd';

/** What an admin page looks like while its code loads: header, filter bar, a few table rows. */
export function PageSkeleton() {
  return (
    <div className="hk-page" data-testid="page-skeleton">
      <div className="hk-page-header">
        <Skeleton active title={{ width: 160 }} paragraph={{ rows: 1, width: 280 }} />
      </div>
      <Card variant="borderless" className="hk-card">
        <Skeleton.Input active size="small" style={{ width: 280, marginBottom: 16 }} />
        <Skeleton active title={false} paragraph={{ rows: 6 }} />
      </Card>
    </div>
  );
}

/** The three panes of the workbench, empty, so nothing jumps when the page's code arrives. */
export function WorkbenchSkeleton() {
  return (
    <div className="hk-workbench" data-testid="workbench-skeleton">
      <aside className="hk-wb-list">
        <div className="hk-list-skeleton">
          {[0, 1, 2, 3, 4, 5].map((key) => (
            <Skeleton key={key} avatar={{ size: 36 }} active title={{ width: '60%' }} paragraph={{ rows: 1 }} />
          ))}
        </div>
      </aside>
      <section className="hk-wb-chat">
        <div className="hk-chat-loading">
          <Skeleton active avatar paragraph={{ rows: 1 }} />
          <Skeleton active paragraph={{ rows: 4 }} />
        </div>
      </section>
      <aside className="hk-wb-customer" />
    </div>
  );
}
