/** The computed container logs (logs.ts): the access-log lines of proxy images are well formed. */
import { describe, expect, it } from 'vitest';
import { lineText } from '../../src/sim/logs.js';

describe('computed log lines', () => {
  it('an nginx access line has a pod IP of four octets, a byte count and a user agent, for any hash', () => {
    const pod = { metadata: { uid: 'u-1' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27.3' }] } };
    const line = /^10\.244\.(\d+)\.(\d+) - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \S+ HTTP\/1\.1" (200|404|500) (\d+) "-" "([^"]+)"$/;
    for (let i = 0; i < 2000; i++) {
      const text = lineText(pod, 'web', 0, i, Date.UTC(2026, 0, 1));
      const m = line.exec(text);
      expect(m, text).not.toBeNull();
      expect(Number(m![1])).toBeLessThan(32);
      expect(Number(m![2])).toBeLessThan(250);
      expect(Number(m![4])).toBeLessThan(9000);
      expect(m![5]).not.toBe('undefined');
    }
  });
});
