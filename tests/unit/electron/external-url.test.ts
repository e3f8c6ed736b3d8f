import { describe, expect, it } from 'vitest';
import { externalUrl } from '../../../electron/security.js';

describe('externalUrl (what a link may open in the system browser)', () => {
  it('passes a Neuronpedia feature page', () => {
    expect(externalUrl('https://www.neuronpedia.org/gpt2-small/6-res-jb/1234')).toBe(
      'https://www.neuronpedia.org/gpt2-small/6-res-jb/1234',
    );
  });
  it('refuses other schemes, hosts, ports, lookalikes and credentials', () => {
    for (const url of [
      'http://www.neuronpedia.org/gpt2-small/6-res-jb/1',
      'https://neuronpedia.org/gpt2-small/6-res-jb/1',
      'https://www.neuronpedia.org.evil.example/x',
      'https://www.neuronpedia.org:8443/x',
      'https://user:pw@www.neuronpedia.org/x',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'loupe://app/index.html',
      'not a url',
    ])
      expect(externalUrl(url), url).toBeNull();
  });
  it('refuses Neuronpedia pages that are not a feature page as the engine writes it', () => {
    for (const url of [
      'https://www.neuronpedia.org/search?q=x',
      'https://www.neuronpedia.org/gpt2-small/6-res-jb/1234?embed=true',
      'https://www.neuronpedia.org/gpt2-small/6-res-jb/1234#x',
      'https://www.neuronpedia.org/gpt2-small/6-res-jb/01234',
      'https://www.neuronpedia.org/gpt2-small/6-res-jb',
      'https://www.neuronpedia.org/api/feature/gpt2-small/6-res-jb/1234',
    ])
      expect(externalUrl(url), url).toBeNull();
  });
});
