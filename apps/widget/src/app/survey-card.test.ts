import { describe, expect, it } from 'vitest';
import { surveyLead } from './survey-card.ts';

const link = 'https://shop.example.com/s/AbCdEfGhIjKlMnOpQrSt';

describe('survey invitation above the rating card', () => {
  it('keeps only the thank-you lead: the card asks the question and replaces the link', () => {
    const content = `感谢您的咨询！您对本次服务满意吗？点击评价：${link}`;
    expect(surveyLead(content, '您对本次服务满意吗？')).toBe('感谢您的咨询！');
  });

  it('drops a custom question and the NPS lead the same way', () => {
    const content = `感谢您一直以来的支持！您有多大可能把我们推荐给朋友？点击评价：${link}`;
    expect(surveyLead(content, '您有多大可能把我们推荐给朋友？')).toBe('感谢您一直以来的支持！');
  });

  it('never shows the raw link, also when it comes without 点击评价 or with a relative path', () => {
    expect(surveyLead(`感谢您的咨询！请评价 ${link}`, '您对本次服务满意吗？')).toBe('感谢您的咨询！请评价');
    expect(surveyLead('感谢您的咨询！点击评价：/s/AbCdEfGhIjKlMnOpQrSt', '')).toBe('感谢您的咨询！');
    expect(surveyLead(`感谢您的咨询！请点这里${link}评价`, '')).toBe('感谢您的咨询！请点这里评价');
  });

  it('keeps only the English thank-you lead of an English invitation', () => {
    const content = `Thank you for contacting us! How satisfied are you with our service? Rate us: ${link}`;
    expect(surveyLead(content, 'How satisfied are you with our service?')).toBe('Thank you for contacting us!');
  });

  it('is empty when the message was only the question and the link', () => {
    expect(surveyLead(`您对本次服务满意吗？点击评价：${link}`, '您对本次服务满意吗？')).toBe('');
  });
});
