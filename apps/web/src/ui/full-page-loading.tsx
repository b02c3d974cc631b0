import { Spin } from 'antd';

export function FullPageLoading() {
  return (
    <div className="hk-full-page-center">
      <Spin size="large" />
    </div>
  );
}
