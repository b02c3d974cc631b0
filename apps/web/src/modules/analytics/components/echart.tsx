import { Skeleton } from 'antd';
import type { EChartsOption } from 'echarts';
import { useEffect, useRef, useState } from 'react';

type ECharts = typeof import('echarts/core');
let loading: Promise<ECharts> | undefined;
/** ECharts is large: only the parts used here (echarts-setup.ts), loaded with the first chart, not with the app. */
const loadEcharts = () => {
  loading ??= import('./echarts-setup.ts').then((module) => module.echarts);
  return loading;
};

/** A thin ECharts wrapper: one instance per element, resized with it, disposed on unmount. */
export function EChart({ option, height = 280, testId }: { option: EChartsOption; height?: number; testId?: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<ECharts['init']> | null>(null);
  const [isReady, setReady] = useState(false);

  useEffect(() => {
    let isCancelled = false;
    let observer: ResizeObserver | undefined;
    void loadEcharts().then((echarts) => {
      if (isCancelled || !element.current) return;
      chart.current = echarts.init(element.current);
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(element.current);
      setReady(true);
    });
    return () => {
      isCancelled = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (isReady) chart.current?.setOption(option, true);
  }, [isReady, option]);

  return (
    <div style={{ position: 'relative', height }} data-testid={testId}>
      {!isReady && <Skeleton active paragraph={{ rows: 5 }} />}
      <div ref={element} style={{ position: 'absolute', inset: 0 }} />
    </div>
  );
}
