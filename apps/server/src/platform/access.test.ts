import fs from 'node:fs';
import path from 'node:path';
import { roles } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { permissions } from './access.ts';

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../../docs/PERMISSIONS.md'), 'utf8');

/** Parses the markdown table of docs/PERMISSIONS.md into permission → roles. */
function documentedPermissions(): Record<string, string[]> {
  const rows = doc.split('\n').filter((line) => /^\| [a-z_]+:[a-z_]+ \|/.test(line));
  return Object.fromEntries(
    rows.map((line) => {
      const [name, ...cells] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return [name!, roles.filter((_, i) => cells[i] === '✓')];
    }),
  );
}

describe('the written permission table', () => {
  it('matches the permission table the server enforces', () => {
    const enforced = Object.fromEntries(Object.entries(permissions).map(([name, allowed]) => [name, [...allowed]]));
    expect(documentedPermissions()).toEqual(enforced);
  });
});
