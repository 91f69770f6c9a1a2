/** Host → provider resolution: built-in hosts, per-resource suffixes, aliases, ports, overrides. */
import { describe, expect, it } from 'vitest';
import { buildHostTable, lookupHost } from '../src/host-table.js';
import { canonicalProviderName } from '../src/index.js';
import { authorityOf, pathOf, portOf } from '../src/url-parts.js';

const name = (table: ReturnType<typeof buildHostTable>, url: string) => {
  const authority = authorityOf(url);
  return authority === undefined ? undefined : lookupHost(table, authority)?.name;
};

describe('hosts', () => {
  const table = buildHostTable({
    '127.0.0.1:4010': 'anthropic',
    'llm.internal.example': 'internal_gateway',
    'HTTP://Proxy.Example:8443/': 'gemini',
    '*.gateway.example': 'openrouter',
    'api.groq.com': false,
  });

  it('knows the built-in provider hosts and per-resource suffixes', () => {
    expect(name(table, 'https://api.openai.com/v1/chat/completions')).toBe('openai');
    expect(name(table, 'https://API.OPENAI.COM:443/v1/chat/completions')).toBe('openai');
    expect(name(table, 'https://my-res.openai.azure.com/openai/deployments/x/chat/completions')).toBe('azure.ai.openai');
    expect(name(table, 'https://us-central1-aiplatform.googleapis.com/v1/x')).toBe('gcp.vertex_ai');
    expect(name(table, 'https://generativelanguage.googleapis.com/v1beta/models/g:generateContent')).toBe('gcp.gemini');
    expect(name(table, 'https://api.x.ai/v1/chat/completions')).toBe('x_ai');
    expect(name(table, 'https://example.com/v1/chat/completions')).toBeUndefined();
    expect(name(table, 'https://user:pw@api.anthropic.com/v1/messages')).toBe('anthropic');
  });

  it('applies the hosts option: host:port, aliases, custom OpenAI-compatible names, wildcards, false', () => {
    expect(name(table, 'http://127.0.0.1:4010/v1/messages')).toBe('anthropic');
    expect(name(table, 'http://127.0.0.1:4011/v1/messages')).toBeUndefined();
    expect(name(table, 'https://llm.internal.example/v1/chat/completions')).toBe('internal_gateway');
    expect(name(table, 'https://proxy.example:8443/v1beta/models/g:generateContent')).toBe('gcp.gemini');
    expect(name(table, 'https://eu.gateway.example/api/v1/chat/completions')).toBe('openrouter');
    expect(name(table, 'https://api.groq.com/openai/v1/chat/completions')).toBeUndefined();
  });

  it('resolves aliases to gen_ai.provider.name values', () => {
    expect(canonicalProviderName('gemini')).toBe('gcp.gemini');
    expect(canonicalProviderName('xai')).toBe('x_ai');
    expect(canonicalProviderName('azure')).toBe('azure.ai.openai');
    expect(canonicalProviderName('azure-openai')).toBe('azure.ai.openai');
    expect(canonicalProviderName('mistral')).toBe('mistral_ai');
    expect(canonicalProviderName('bedrock')).toBe('aws.bedrock');
    expect(canonicalProviderName('OpenAI')).toBe('openai');
    expect(canonicalProviderName('internal_gateway')).toBe('internal_gateway');
  });

  it('reads ports and paths without query strings', () => {
    expect(portOf('https://a.example/x', 'a.example')).toBe(443);
    expect(portOf('http://a.example/x', 'a.example')).toBe(80);
    expect(portOf('http://[::1]:8080/x', '[::1]:8080')).toBe(8080);
    expect(pathOf('https://a.example/v1/models/g:generateContent?key=SECRET#x')).toBe('/v1/models/g:generateContent');
    expect(pathOf('https://a.example?key=1')).toBe('');
  });
});
