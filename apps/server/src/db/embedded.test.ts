import { describe, expect, it } from 'vitest';
import { socketDirectory } from './embedded.ts';

describe('embedded cluster socket directory', () => {
  it('puts the socket in the cluster directory when its path fits a socket address', () => {
    expect(socketDirectory('/home/shop/huike/data/pg')).toBe('/home/shop/huike/data/pg');
    expect(socketDirectory('/srv/客服 系统/data/pg')).toBe('/srv/客服 系统/data/pg');
  });

  it('stays on TCP when the path is too long (counted in bytes) or cannot be written in the setting', () => {
    expect(socketDirectory(`/srv/${'a'.repeat(80)}/data/pg`)).toBeUndefined();
    expect(socketDirectory(`/srv/${'客'.repeat(30)}/data/pg`)).toBeUndefined();
    expect(socketDirectory('/srv/a,b/data/pg')).toBeUndefined();
    expect(socketDirectory('/srv/"quoted"/data/pg')).toBeUndefined();
  });
});
