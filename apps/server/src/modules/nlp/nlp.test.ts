import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FOOD_DELIVERY_SANITY } from './food-delivery-sanity.ts';
import { analyseInbound, detectUrgency, scoreSentiment } from './index.ts';

const BIN = fileURLToPath(new URL('../../../bin/huike.js', import.meta.url));

function runCli(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('scoreSentiment', () => {
  it('labels clear reviews and gives the probability of the label', () => {
    const positive = scoreSentiment('质量很好，发货速度快，下次还会再来买');
    const negative = scoreSentiment('质量太差了，用了两天就坏了，非常失望');
    expect(positive.label).toBe('positive');
    expect(negative.label).toBe('negative');
    for (const result of [positive, negative]) {
      expect(result.score).toBeGreaterThanOrEqual(0.5);
      expect(result.score).toBeLessThanOrEqual(1);
    }
    expect(negative.score).toBeGreaterThan(0.9);
  });

  it('reads traditional characters and full-width forms like their simplified, half-width twins', () => {
    expect(scoreSentiment('質量太差了，非常失望！')).toEqual(scoreSentiment('质量太差了，非常失望!'));
    expect(scoreSentiment('ＯＫ，很滿意')).toEqual(scoreSentiment('ok，很满意'));
  });

  it('answers for empty and very long texts without failing', () => {
    expect(scoreSentiment('').score).toBeGreaterThanOrEqual(0.5);
    expect(scoreSentiment('很好'.repeat(20_000)).label).toBe('positive');
  });

  it('generalises to food-delivery reviews it never saw (≥ 0.87)', () => {
    const correct = FOOD_DELIVERY_SANITY.filter((item) => scoreSentiment(item.text).label === item.label).length;
    expect(correct / FOOD_DELIVERY_SANITY.length).toBeGreaterThanOrEqual(0.87);
    expect(scoreSentiment('送餐太慢了').label).toBe('negative');
    expect(scoreSentiment('味道不错，下次还点').label).toBe('positive');
  });
});

describe('analyseInbound', () => {
  it('reads plain customer questions as neutral, complaints as negative', () => {
    const label = (text: string) => analyseInbound(text)?.sentiment.label;
    for (const question of [
      '你好，我想问一下什么时候发货',
      '转人工',
      '在吗',
      '能开发票吗',
      '这个尺码偏大吗',
      '😀😀😀',
    ]) {
      expect(label(question), question).toBe('neutral');
    }
    for (const complaint of ['为什么还没有发货？都三天了', '客服态度太差', '收到的东西是坏的', '等了半天没人回']) {
      expect(label(complaint), complaint).toBe('negative');
    }
    expect(label('质量很好，发货速度快，下次还会再来买')).toBe('positive');
  });
});

describe('detectUrgency', () => {
  const calm = { label: 'positive' as const, score: 0.9 };

  it('flags complaint threats, also in traditional and full-width forms', () => {
    for (const text of [
      '再不处理我就去投诉你们',
      '我要打12315',
      '打１２３１５舉報你們',
      '我要去消協投訴',
      '不解决就给差评',
      '我会找媒体曝光',
      '已经联系律师准备起诉',
      '我要去工商局告你们',
    ]) {
      expect(detectUrgency(text, calm).reasons, text).toContain('complaint_threat');
    }
  });

  it('flags refund disputes', () => {
    for (const text of [
      '退款申请了一周了还没到账',
      '你们凭什么拒绝退款',
      '商家一直不给退款',
      '仅退款被驳回了，我要申诉',
      '為什麼不給我退款',
    ]) {
      expect(detectUrgency(text, calm).reasons, text).toContain('refund_dispute');
    }
  });

  it('flags strong negative sentiment at 0.95 and above only', () => {
    expect(detectUrgency('太差了', { label: 'negative', score: 0.97 }).reasons).toEqual(['strong_negative']);
    expect(detectUrgency('有点慢', { label: 'negative', score: 0.8 })).toEqual({ urgent: false, reasons: [] });
    expect(detectUrgency('很好', { label: 'positive', score: 0.99 }).urgent).toBe(false);
  });

  it('flags repeated contact at three or more unanswered messages after a wait of five minutes or more', () => {
    const minutes = (n: number) => n * 60 * 1000;
    expect(detectUrgency('在吗', calm, { unansweredCount: 3, waitingMs: minutes(5) }).reasons).toEqual([
      'repeated_contact',
    ]);
    // Three quick lines at the start of a chat are how buyers write, not urgency.
    expect(detectUrgency('在吗', calm, { unansweredCount: 3, waitingMs: minutes(1) }).urgent).toBe(false);
    expect(detectUrgency('在吗', calm, { unansweredCount: 2, waitingMs: minutes(30) }).urgent).toBe(false);
    expect(detectUrgency('在吗', null).urgent).toBe(false);
  });

  it('leaves ordinary questions alone', () => {
    for (const text of [
      '请问什么时候发货',
      '我用工商银行卡付款可以吗',
      '退款流程是怎样的',
      '我告诉你地址',
      '好的谢谢',
    ]) {
      expect(detectUrgency(text, calm), text).toEqual({ urgent: false, reasons: [] });
    }
  });

  it('reports several reasons together', () => {
    const urgency = detectUrgency('一直不给退款，我要投诉', scoreSentiment('一直不给退款，我要投诉'), {
      unansweredCount: 4,
      waitingMs: 6 * 60 * 1000,
    });
    expect(urgency.urgent).toBe(true);
    expect(urgency.reasons).toEqual(expect.arrayContaining(['complaint_threat', 'refund_dispute', 'repeated_contact']));
  });
});

describe('huike nlp sentiment', () => {
  it('writes one JSON line per input line, empty lines included', async () => {
    const { code, stdout, stderr } = await runCli(
      ['nlp', 'sentiment'],
      '质量很好，很满意\n\n太差了，退货\r\n送餐太慢了',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const results = lines.map((line) => JSON.parse(line) as { label: string; score: number });
    expect(results.map((result) => result.label)).toEqual(['positive', expect.any(String), 'negative', 'negative']);
    for (const result of results) {
      expect(Object.keys(result)).toEqual(['label', 'score']);
      expect(result.score).toBeGreaterThanOrEqual(0.5);
      expect(result.score).toBeLessThanOrEqual(1);
    }
  });

  it('streams a large input', async () => {
    const count = 20_000;
    const input = Array.from({ length: count }, (_, i) => (i % 2 ? '物流很快，好评' : '质量差，不推荐')).join('\n');
    const { code, stdout } = await runCli(['nlp', 'sentiment'], `${input}\n`);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(count);
    expect(JSON.parse(lines[1] as string).label).toBe('positive');
    expect(JSON.parse(lines[0] as string).label).toBe('negative');
  });
});
